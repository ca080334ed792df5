-- A relevance hierarchy for the meta-learner (packages/meta/src/scope.ts), the one `auto` matches
-- history by: a run is predicted from the runs of its own metric kind and task family when
-- history holds enough of their tasks, else from those of its metric kind, else (no history of
-- its kind) from all of history, each scope with weights, shape weights and intervals fitted on
-- its own runs alone. So history of another metric kind cannot move a run's prediction. The
-- state (format 2) lists the scopes in `scopes`; its top level is the fit on all of history, as
-- before, kept in meta_history (curfew_predict_outcome reads it unchanged); each scope's kept
-- runs, encoded for its own features, are in meta_scope_history. curfew_predict_stop is 0008's
-- but for picking the scope; a version without scopes (format 1) is read as before.
CREATE TABLE meta_scope_history (
  meta_model_version integer NOT NULL REFERENCES meta_models (version) ON DELETE CASCADE,
  scope integer NOT NULL,
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task text NOT NULL,
  num double precision[] NOT NULL,
  cat text[] NOT NULL,
  peak_fraction double precision NOT NULL,
  peak_value double precision NOT NULL,
  final_value double precision NOT NULL,
  shape_best_rel double precision[],
  shape_last_rel double precision[],
  shape_trend double precision[],
  PRIMARY KEY (meta_model_version, scope, run_id)
);
--> statement-breakpoint
COMMENT ON TABLE meta_scope_history IS 'The finished runs each scope of a meta-model version (state->''scopes'') learned from and predicts with, one row per run and scope; each refit replaces the rows of older versions. The version''s top level (all of history) keeps its runs in meta_history.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.scope IS 'The scope''s place in state->''scopes'', from 1.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.task IS 'The task the run trained on.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.num IS 'Numeric features encoded as the scope says (z-scores, log scale where stated), in the order of its ''numeric''.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.cat IS 'Categorical features, in the order of the scope''s ''categories''.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.peak_fraction IS 'Tokens of the run''s best eval as a fraction of its budget.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.peak_value IS 'Value of the best eval.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.final_value IS 'Value of the last eval, at the full budget.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.shape_best_rel IS 'As meta_history.shape_best_rel: the run''s best_rel at each checkpoint of the scope''s state, null where it had no eval by it.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.shape_last_rel IS 'As meta_history.shape_last_rel.';
--> statement-breakpoint
COMMENT ON COLUMN meta_scope_history.shape_trend IS 'As meta_history.shape_trend.';
--> statement-breakpoint
CREATE FUNCTION curfew_metric_kind(metric text, mode text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
-- metricKind of @curfew/policies (learn/curve-kind.ts), word for word: the name split at anything
-- not a letter or digit, its category by the first of these word lists it meets, and the mode.
SELECT CASE WHEN cardinality(w) = 0 THEN '' ELSE
  CASE
    WHEN w && ARRAY['wer', 'cer', 'error', 'err', 'errors'] THEN 'error-rate'
    WHEN w && ARRAY['ssim'] THEN 'ssim'
    WHEN w && ARRAY['perplexity', 'ppl'] THEN 'perplexity'
    WHEN w && ARRAY['loss', 'nll', 'xent', 'crossentropy', 'bpb'] THEN 'loss'
    WHEN w && ARRAY['accuracy', 'acc', 'em', 'exact', 'top1', 'top5', 'f1', 'precision', 'recall'] THEN 'accuracy'
    ELSE array_to_string(w, '_')
  END || ':' || mode END
FROM (SELECT ARRAY(
  SELECT x FROM regexp_split_to_table(lower(coalesce(metric, '')), '[^a-z0-9]+') AS x WHERE x <> ''
) AS w) s
$$;
--> statement-breakpoint
COMMENT ON FUNCTION curfew_metric_kind(text, text) IS 'The kind of curve a metric draws (accuracy:max, loss:min, error-rate:min, ssim:max, perplexity:min, else <name>:<mode>): what curfew_predict_stop picks a run''s scope of history by, as auto matches history. Example: select curfew_metric_kind(''validation/wer'', ''min'');';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION curfew_predict_stop(
  features jsonb,
  budget_tokens double precision DEFAULT NULL,
  evals jsonb DEFAULT NULL
)
RETURNS TABLE (
  meta_model_version integer,
  checkpoint double precision,
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
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
DECLARE
  version integer;
  state jsonb;
  -- The run's scope of history: its place in state->'scopes' (0: all of history, the top level)
  -- and what was fitted on it (the state itself for the top level).
  kind text;
  scope_no integer;
  scoped jsonb;
  model jsonb;
  at double precision;
  -- The checkpoint's place in the scope's list: its element of the kept runs' shape arrays.
  at_index integer;
  spec jsonb;
  -- The shape of the run's curve so far (packages/meta/src/shape.ts computes the same).
  best_fraction double precision;
  best_rel double precision;
  last_rel double precision;
  trend double precision;
  mp double precision;
  num_weight double precision[];
  num_q double precision[];
  cat_weight double precision[];
  cat_q text[];
  shape_weight double precision[];
  d2 text;
  weights double precision[];
  total double precision;
  peak_value double precision;
  final_value double precision;
  runs integer;
  top jsonb;
  peak integer[];
  band integer[];
BEGIN
  SELECT m.version, m.state INTO version, state FROM meta_models m
  WHERE m.state ->> 'kind' = 'relevance-kernel/1'
  ORDER BY m.version DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  -- The narrowest scope that holds the run (packages/meta/src/scope.ts, scopeOf): its metric kind
  -- and family, else its metric kind across families, else all of history.
  model := state;
  scope_no := 0;
  IF jsonb_typeof(state -> 'scopes') = 'array' THEN
    kind := curfew_metric_kind(curfew_predict_stop.features ->> 'metric',
      CASE WHEN curfew_predict_stop.features ->> 'mode' = 'min' THEN 'min' ELSE 'max' END);
    SELECT s.ord::int, s.spec INTO scope_no, scoped
    FROM jsonb_array_elements(state -> 'scopes') WITH ORDINALITY AS s(spec, ord)
    WHERE kind <> '' AND s.spec ->> 'metric' = kind
      AND (s.spec ->> 'family' IS NULL OR s.spec ->> 'family' = curfew_predict_stop.features ->> 'family')
    ORDER BY s.spec ->> 'family' IS NULL, s.ord
    LIMIT 1;
    IF FOUND THEN
      model := scoped;
    ELSE
      scope_no := 0;
    END IF;
  END IF;

  WITH obs AS (
    -- The run's evals so far: fractions of the budget, values signed so that higher is better.
    SELECT (x.e ->> 'tokens')::float8 / curfew_predict_stop.budget_tokens AS f,
      CASE WHEN curfew_predict_stop.features ->> 'mode' = 'min' THEN -1 ELSE 1 END * (x.e ->> 'value')::float8 AS v,
      x.ord
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(curfew_predict_stop.evals) = 'array'
      THEN curfew_predict_stop.evals ELSE '[]'::jsonb END) WITH ORDINALITY AS x(e, ord)
    WHERE curfew_predict_stop.budget_tokens > 0
      AND jsonb_typeof(x.e -> 'tokens') = 'number' AND jsonb_typeof(x.e -> 'value') = 'number'
  ),
  cp AS (
    -- The latest checkpoint the run has reached with an eval at or before it; 0 before its first eval.
    SELECT c.spec, (c.spec ->> 'at')::float8 AS at, c.ord::int AS ord
    FROM jsonb_array_elements(model -> 'checkpoints') WITH ORDINALITY AS c(spec, ord)
    WHERE (c.spec ->> 'at')::float8 = 0
      OR ((c.spec ->> 'at')::float8 <= (SELECT max(o.f) FROM obs o) + 1e-9
        AND (SELECT min(o.f) FROM obs o) <= (c.spec ->> 'at')::float8 + 1e-9)
    ORDER BY (c.spec ->> 'at')::float8 DESC LIMIT 1
  ),
  win AS (
    SELECT o.f, o.v, row_number() OVER (ORDER BY o.f, o.ord) AS rn, count(*) OVER () AS n
    FROM obs o, cp WHERE cp.at > 0 AND o.f <= cp.at + 1e-9
  ),
  qs AS (
    SELECT (SELECT w.f FROM win w ORDER BY w.v DESC, w.rn LIMIT 1) AS best_fraction,
      max(v) AS hi, min(v) AS lo,
      (SELECT w.v FROM win w ORDER BY w.rn DESC LIMIT 1) AS last_v,
      avg(v) FILTER (WHERE rn > n - floor(n / 2)) AS late,
      avg(v) FILTER (WHERE rn <= floor(n / 2)) AS early
    FROM win
  )
  SELECT cp.spec, cp.at, cp.ord, qs.best_fraction,
    least(1, greatest(0, qs.best_fraction / cp.at)),
    CASE WHEN qs.hi > qs.lo THEN (qs.last_v - qs.lo) / (qs.hi - qs.lo) ELSE 1 END,
    CASE WHEN qs.hi > qs.lo AND qs.late IS NOT NULL AND qs.early IS NOT NULL
      THEN (qs.late - qs.early) / (qs.hi - qs.lo) ELSE 0 END
  INTO spec, at, at_index, best_fraction, best_rel, last_rel, trend
  FROM cp LEFT JOIN qs ON cp.at > 0 AND qs.best_fraction IS NOT NULL;

  -- The query's features, encoded as the history's were.
  mp := (state ->> 'missingPenalty')::float8;
  SELECT coalesce(array_agg((f.spec ->> 'weight')::float8 ORDER BY f.ord), '{}'),
    coalesce(array_agg(CASE WHEN jsonb_typeof(curfew_predict_stop.features -> (f.spec ->> 'key')) = 'number' THEN
      CASE
        WHEN NOT (f.spec ->> 'log')::boolean THEN
          ((curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8 - (f.spec ->> 'center')::float8) / (f.spec ->> 'scale')::float8
        WHEN (curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8 > 0 THEN
          (ln((curfew_predict_stop.features ->> (f.spec ->> 'key'))::float8) - (f.spec ->> 'center')::float8) / (f.spec ->> 'scale')::float8
      END
    END ORDER BY f.ord), '{}')
  INTO num_weight, num_q
  FROM jsonb_array_elements(model -> 'numeric') WITH ORDINALITY AS f(spec, ord);
  SELECT coalesce(array_agg((f.spec ->> 'weight')::float8 ORDER BY f.ord), '{}'),
    coalesce(array_agg(CASE WHEN curfew_predict_stop.features ? (f.spec ->> 'key')
      THEN curfew_predict_stop.features ->> (f.spec ->> 'key') END ORDER BY f.ord), '{}')
  INTO cat_weight, cat_q
  FROM jsonb_array_elements(model -> 'categories') WITH ORDINALITY AS f(spec, ord);
  shape_weight := ARRAY[coalesce((spec -> 'shapeWeights' ->> 0)::float8, 0),
    coalesce((spec -> 'shapeWeights' ->> 1)::float8, 0), coalesce((spec -> 'shapeWeights' ->> 2)::float8, 0)];

  -- A kept run's squared distance, term by term in the order 0007 summed them: the numeric
  -- features, then the categories that differ, then the curve's shape ($1.. are bound below). A
  -- feature the run lacks costs the missing penalty; so does a shape the past run lacks (no eval
  -- by the checkpoint), for every shape weight. Shape terms of weight 0 add exactly 0: left out.
  SELECT coalesce(string_agg(CASE WHEN num_q[k] IS NULL
      THEN format('CASE WHEN h.num[%s] IS NULL THEN 0 ELSE $1[%s] * $3 END', k, k)
      ELSE format('coalesce($1[%s] * (h.num[%s] - $2[%s]) ^ 2, $1[%s] * $3)', k, k, k, k)
    END, ' + ' ORDER BY k), '0')
  INTO d2 FROM generate_subscripts(num_weight, 1) AS k;
  d2 := '(' || d2 || ') + (' || coalesce((
    SELECT string_agg(format('CASE WHEN h.cat[%s] IS DISTINCT FROM $5[%s] THEN $4[%s] ELSE 0 END', k, k, k),
      ' + ' ORDER BY k)
    FROM generate_subscripts(cat_weight, 1) AS k), '0') || ')';
  IF best_fraction IS NOT NULL AND shape_weight <> ARRAY[0, 0, 0]::float8[] THEN
    d2 := d2 || ' + coalesce(' || (
      SELECT string_agg(format('$6[%s] * (h.%s[$13] - $%s) ^ 2', j, col, 7 + j), ' + ' ORDER BY j)
      FROM unnest(ARRAY['shape_best_rel', 'shape_last_rel', 'shape_trend']) WITH ORDINALITY AS x(col, j)
      WHERE shape_weight[j] <> 0) || ', $3 * ($6[1] + $6[2] + $6[3]))';
  END IF;

  EXECUTE format($q$
    WITH d AS MATERIALIZED (
      SELECT h.run_id, h.peak_fraction, h.peak_value, h.final_value,
        -- A past run that had peaked by the checkpoint stands for this run's own best so far.
        round(least(1, greatest(0, %s)) * 100)::int AS bin, %s AS d2
      FROM %s
    ),
    weighted AS MATERIALIZED (
      -- Gaussian kernel: the nearest past run weighs 1, a run one unit of squared distance further
      -- e^-1; past e^-700 a run weighs 0 (exp would underflow, an error in Postgres).
      SELECT d.run_id, d.peak_fraction, d.peak_value, d.final_value, d.bin,
        CASE WHEN d.d2 - m.d2 > 700 THEN 0 ELSE exp(-(d.d2 - m.d2)) END AS w
      FROM d, (SELECT min(d2) AS d2 FROM d) m
    )
    SELECT (SELECT array_agg(coalesce(hb.w, 0) ORDER BY b.bin)
        FROM generate_series(0, 100) AS b(bin)
        LEFT JOIN (SELECT bin, sum(w) AS w FROM weighted GROUP BY bin) hb ON hb.bin = b.bin),
      t.w, t.peak_value, t.final_value, t.runs,
      (SELECT jsonb_agg(jsonb_build_object('run_id', x.run_id, 'weight', x.w / t.w, 'peak_fraction', x.peak_fraction)
         ORDER BY x.w DESC, x.run_id)
       FROM (SELECT w.run_id, w.w, w.peak_fraction FROM weighted w ORDER BY w.w DESC, w.run_id LIMIT 5) x)
    FROM (
      SELECT sum(w) AS w, sum(w * peak_value) / sum(w) AS peak_value, sum(w * final_value) / sum(w) AS final_value,
        count(*)::int AS runs
      FROM weighted
    ) t $q$,
    CASE WHEN best_fraction IS NULL THEN 'h.peak_fraction'
      ELSE 'CASE WHEN h.peak_fraction <= $7 + 1e-9 THEN $12 ELSE h.peak_fraction END' END,
    d2,
    CASE WHEN scope_no = 0 THEN 'meta_history h WHERE h.meta_model_version = $11'
      ELSE 'meta_scope_history h WHERE h.meta_model_version = $11 AND h.scope = $14' END)
  INTO weights, total, peak_value, final_value, runs, top
  USING num_weight, num_q, mp, cat_weight, cat_q, shape_weight, at, best_rel, last_rel, trend, version, best_fraction, at_index, scope_no;

  -- weights[1..101] are bins 0..100.
  peak := curfew_densest_bins(weights, (state ->> 'peakMass')::float8);
  -- Calibrated within the run's family where history had enough of its tasks (Mondrian conformal).
  band := curfew_densest_bins(weights,
    coalesce((spec -> 'familyMass' ->> (curfew_predict_stop.features ->> 'family'))::float8,
      (spec ->> 'intervalMass')::float8));
  IF peak IS NULL OR band IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  SELECT version, at, ((peak[1] + peak[2]) / 200.0)::float8,
    greatest(0, (band[1] - 0.5) / 100.0)::float8, least(1, (band[2] + 0.5) / 100.0)::float8,
    (peak[1] + peak[2]) / 200.0 * curfew_predict_stop.budget_tokens,
    greatest(0, (band[1] - 0.5) / 100.0) * curfew_predict_stop.budget_tokens,
    least(1, (band[2] + 0.5) / 100.0) * curfew_predict_stop.budget_tokens,
    peak_value, final_value, runs, top;
END
$$;
--> statement-breakpoint
COMMENT ON FUNCTION curfew_predict_stop(jsonb, double precision, jsonb) IS 'Predicts where a run will peak from the past runs most like it, within the narrowest scope of history that holds it: the runs of its metric kind (curfew_metric_kind of its metric and mode) and family where history has enough of their tasks, else of its metric kind, else all of history, each with weights and intervals fitted on that scope alone. Likeness is in the task''s family, model, data size and config, and, given the run''s evals so far (a jsonb array of {"tokens", "value"}; needs budget_tokens), in the shape of its curve at the latest checkpoint it reached. The point is the midpoint of the densest half of the weighted peaks, the interval its densest share calibrated to cover 80% on held-out tasks. No row when no meta-model has been fitted. Example: select * from curfew_predict_stop(''{"metric":"em","mode":"max","family":"kv-qa","model":"gru","lr":0.003}'', 2000000, ''[{"tokens":100000,"value":0.12},{"tokens":200000,"value":0.2}]'');';
