-- The meta-learner in Postgres (packages/meta): the history a meta-model version was fitted on,
-- and the prediction as a SQL function over that history and the version's learned state.
CREATE TABLE meta_history (
  meta_model_version integer NOT NULL REFERENCES meta_models (version) ON DELETE CASCADE,
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task text NOT NULL,
  features jsonb NOT NULL,
  num double precision[] NOT NULL,
  cat text[] NOT NULL,
  peak_fraction double precision NOT NULL,
  peak_value double precision NOT NULL,
  final_value double precision NOT NULL,
  PRIMARY KEY (meta_model_version, run_id)
);
--> statement-breakpoint
COMMENT ON TABLE meta_history IS 'Finished runs a meta-model version learned from, one row per run; each refit replaces the rows of older versions.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.task IS 'The task the run trained on; the fit holds out one task at a time to measure its error.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.features IS 'Run and task features: task family and parameters, model, lr, batch size, and <param>_rank (the run''s place, 0..1, within its experiment''s sweep).';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.num IS 'Numeric features encoded as the version''s state says (z-scores, log scale where stated), in the order of state->''numeric''.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.cat IS 'Categorical features, in the order of state->''categories''.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.peak_fraction IS 'Tokens of the run''s best eval as a fraction of its budget.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.peak_value IS 'Value (EM) of the best eval: the deployed EM of the full-budget run.';
--> statement-breakpoint
COMMENT ON COLUMN meta_history.final_value IS 'Value (EM) of the last eval, at the full budget.';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION curfew_predict_stop(features jsonb, budget_tokens double precision DEFAULT NULL)
RETURNS TABLE (
  meta_model_version integer,
  predicted_peak_fraction double precision,
  low_fraction double precision,
  high_fraction double precision,
  predicted_peak_tokens double precision,
  low_tokens double precision,
  high_tokens double precision,
  predicted_peak_value double precision,
  predicted_final_value double precision,
  history_runs integer,
  sources jsonb
)
LANGUAGE sql STABLE
AS $$
WITH model AS (
  SELECT m.version, m.state FROM meta_models m
  WHERE m.state ->> 'kind' = 'kernel-shorth'
  ORDER BY m.version DESC LIMIT 1
),
num_spec AS (
  -- The query's numeric features, encoded as the history's were.
  SELECT f.ord::int AS ord, (f.spec ->> 'weight')::float8 AS weight,
    CASE WHEN jsonb_typeof(curfew_predict_stop.features -> (f.spec ->> 'key')) = 'number' THEN
      CASE
        WHEN NOT (f.spec ->> 'log')::boolean THEN
          ((curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8 - (f.spec ->> 'center')::float8) / (f.spec ->> 'scale')::float8
        WHEN (curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8 > 0 THEN
          (ln((curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8) - (f.spec ->> 'center')::float8) / (f.spec ->> 'scale')::float8
      END
    END AS q
  FROM model, jsonb_array_elements(model.state -> 'numeric') WITH ORDINALITY AS f(spec, ord)
),
cat_spec AS (
  SELECT f.ord::int AS ord, (f.spec ->> 'weight')::float8 AS weight,
    CASE WHEN curfew_predict_stop.features ? (f.spec ->> 'key') THEN curfew_predict_stop.features ->> (f.spec ->> 'key') END AS q
  FROM model, jsonb_array_elements(model.state -> 'categories') WITH ORDINALITY AS f(spec, ord)
),
dist AS (
  SELECT h.run_id, h.peak_fraction, h.peak_value, h.final_value,
    coalesce((
      SELECT sum(n.weight * CASE
        WHEN h.num[n.ord] IS NULL AND n.q IS NULL THEN 0
        WHEN h.num[n.ord] IS NULL OR n.q IS NULL THEN (model.state ->> 'missingPenalty')::float8
        ELSE (h.num[n.ord] - n.q) ^ 2 END)
      FROM num_spec n), 0)
    + coalesce((
      SELECT sum(c.weight) FROM cat_spec c WHERE h.cat[c.ord] IS DISTINCT FROM c.q), 0) AS d2
  FROM model JOIN meta_history h ON h.meta_model_version = model.version
),
weighted AS (
  -- Gaussian kernel: the nearest past run weighs 1, a run one unit of squared distance further e^-1.
  SELECT d.*, exp(-(d.d2 - min(d.d2) OVER ())) AS w,
    round(least(1, greatest(0, d.peak_fraction)) * 100)::int AS bin
  FROM dist d
),
totals AS (
  SELECT sum(w) AS w, sum(w * peak_value) / sum(w) AS peak_value, sum(w * final_value) / sum(w) AS final_value,
    count(*)::int AS runs
  FROM weighted
),
bins AS (
  SELECT b.bin, sum(coalesce(hb.w, 0)) OVER (ORDER BY b.bin) AS cum
  FROM generate_series(0, 100) AS b(bin)
  LEFT JOIN (SELECT bin, sum(w) AS w FROM weighted GROUP BY bin) hb ON hb.bin = b.bin
),
spans AS (
  -- Every run of bins [i, j] with its mass; the narrowest holding enough mass wins (ties: lower start).
  SELECT i.bin AS first, j.bin AS last, j.cum - coalesce(p.cum, 0) AS mass
  FROM bins i JOIN bins j ON j.bin >= i.bin LEFT JOIN bins p ON p.bin = i.bin - 1
),
peak AS (
  SELECT s.first, s.last FROM spans s, model, bins t
  WHERE t.bin = 100 AND s.mass >= (model.state ->> 'peakMass')::float8 * t.cum
  ORDER BY s.last - s.first, s.first LIMIT 1
),
band AS (
  SELECT s.first, s.last FROM spans s, model, bins t
  WHERE t.bin = 100 AND s.mass >= (model.state ->> 'intervalMass')::float8 * t.cum
  ORDER BY s.last - s.first, s.first LIMIT 1
),
top AS (
  SELECT jsonb_agg(jsonb_build_object('run_id', x.run_id, 'weight', x.share, 'peak_fraction', x.peak_fraction)
    ORDER BY x.w DESC, x.run_id) AS sources
  FROM (
    SELECT w.run_id, w.w, w.peak_fraction, w.w / t.w AS share FROM weighted w, totals t
    ORDER BY w.w DESC, w.run_id LIMIT 5
  ) x
),
result AS (
  SELECT model.version,
    (peak.first + peak.last) / 200.0 AS peak_fraction,
    greatest(0, (band.first - 0.5) / 100.0) AS low,
    least(1, (band.last + 0.5) / 100.0) AS high,
    totals.peak_value, totals.final_value, totals.runs, top.sources
  FROM model, peak, band, totals, top
)
SELECT r.version, r.peak_fraction::float8, r.low::float8, r.high::float8,
  r.peak_fraction * curfew_predict_stop.budget_tokens, r.low * curfew_predict_stop.budget_tokens,
  r.high * curfew_predict_stop.budget_tokens,
  r.peak_value, r.final_value, r.runs, r.sources
FROM result r
$$;
--> statement-breakpoint
COMMENT ON FUNCTION curfew_predict_stop(jsonb, double precision) IS 'Predicts, from similar past runs, where a new run will peak: the latest meta-model''s kernel-weighted history of peak fractions; the point is the midpoint of its densest half, the interval its densest calibrated share. Tokens are given when budget_tokens is. No row when no meta-model has been fitted. Example: select * from curfew_predict_stop(''{"family":"kv-qa","model":"gru","lr":0.003,"batch_size":64}'', 2000000);';
