-- The meta-learner's outcome model (packages/meta/src/outcome.ts): how well a run will do among
-- its task's runs, before it starts, which the scheduler dispatches the most promising runs
-- first by. A kept past run's peak rank among its task's runs, the rank predicted for each run,
-- and curfew_predict_outcome.
ALTER TABLE meta_history ADD COLUMN peak_rank double precision;
--> statement-breakpoint
COMMENT ON COLUMN meta_history.peak_rank IS 'The run''s peak value''s place among its task''s runs in history: 1 the best, 0 the worst (mid-ranks for ties). Null in rows written before the outcome model.';
--> statement-breakpoint
ALTER TABLE predictions ADD COLUMN predicted_rank double precision;
--> statement-breakpoint
COMMENT ON COLUMN predictions.predicted_rank IS 'How well the run is expected to do among its task''s runs (0 the worst, 1 the best), from curfew_predict_outcome; the scheduler dispatches the highest first. Null without an outcome model.';
--> statement-breakpoint
CREATE FUNCTION curfew_predict_outcome(features jsonb)
RETURNS TABLE (
  meta_model_version integer,
  predicted_rank double precision,
  history_runs integer
)
LANGUAGE sql STABLE
AS $$
WITH model AS (
  SELECT x.version, x.state FROM (
    SELECT m.version, m.state FROM meta_models m
    WHERE m.state ->> 'kind' = 'relevance-kernel/1'
    ORDER BY m.version DESC LIMIT 1
  ) x
  WHERE x.state ? 'outcome'
),
num_spec AS MATERIALIZED (
  SELECT f.spec ->> 'key' AS key, (f.spec ->> 'log')::boolean AS log, (f.spec ->> 'center')::float8 AS center,
    (f.spec ->> 'scale')::float8 AS scale, (f.spec ->> 'weight')::float8 AS weight
  FROM model, jsonb_array_elements(model.state -> 'outcome' -> 'numeric') AS f(spec)
),
num_q AS MATERIALIZED (
  -- The query's numeric features, encoded as the history's are below (z-scores, of ln when log).
  SELECT n.*, CASE WHEN jsonb_typeof(curfew_predict_outcome.features -> n.key) = 'number' THEN
      CASE
        WHEN NOT n.log THEN ((curfew_predict_outcome.features ->> n.key)::float8 - n.center) / n.scale
        WHEN (curfew_predict_outcome.features ->> n.key)::float8 > 0 THEN
          (ln((curfew_predict_outcome.features ->> n.key)::float8) - n.center) / n.scale
      END
    END AS q
  FROM num_spec n
),
cat_q AS MATERIALIZED (
  SELECT f.spec ->> 'key' AS key, (f.spec ->> 'weight')::float8 AS weight,
    curfew_predict_outcome.features ->> (f.spec ->> 'key') AS q
  FROM model, jsonb_array_elements(model.state -> 'outcome' -> 'categories') AS f(spec)
),
dist AS MATERIALIZED (
  SELECT h.peak_rank,
    coalesce((
      SELECT sum(e.weight * CASE
        WHEN e.x IS NULL AND e.q IS NULL THEN 0
        WHEN e.x IS NULL OR e.q IS NULL THEN (model.state ->> 'missingPenalty')::float8
        ELSE (e.x - e.q) ^ 2 END)
      FROM (
        SELECT n.weight, n.q, CASE WHEN jsonb_typeof(h.features -> n.key) = 'number' THEN
            CASE
              WHEN NOT n.log THEN ((h.features ->> n.key)::float8 - n.center) / n.scale
              WHEN (h.features ->> n.key)::float8 > 0 THEN (ln((h.features ->> n.key)::float8) - n.center) / n.scale
            END
          END AS x
        FROM num_q n
      ) e), 0)
    + coalesce((SELECT sum(c.weight) FROM cat_q c WHERE (h.features ->> c.key) IS DISTINCT FROM c.q), 0) AS d2
  FROM model JOIN meta_history h ON h.meta_model_version = model.version
  WHERE h.peak_rank IS NOT NULL
),
weighted AS (
  -- Gaussian kernel, as in curfew_predict_stop: the nearest past run weighs 1; past e^-700, 0.
  SELECT d.peak_rank, CASE WHEN d.d2 - min(d.d2) OVER () > 700 THEN 0 ELSE exp(-(d.d2 - min(d.d2) OVER ())) END AS w
  FROM dist d
)
SELECT model.version, coalesce((SELECT sum(w.w * w.peak_rank) / sum(w.w) FROM weighted w), 0.5)::float8,
  (SELECT count(*)::int FROM weighted)
FROM model
$$;
--> statement-breakpoint
COMMENT ON FUNCTION curfew_predict_outcome(jsonb) IS 'Predicts how well a run will do among its task''s runs before it starts (0 the worst, 1 the best): the kernel-weighted mean peak rank of the past runs most like it in the outcome model''s features (its place in its sweep, config, task kind), with weights of its own learned leave-one-task-out. No row when no meta-model with an outcome model has been fitted. Example: select * from curfew_predict_outcome(''{"metric":"em","mode":"max","family":"kv-qa","lr":0.003,"lr_rank":0.9}'');';
