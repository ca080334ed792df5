-- curfew_predict_stop as 0008 defined it, with one change: a checkpoint of the budget answers only
-- the kinds of run (the metric a run's policy watches) on which the fit measured it better than
-- the prediction before the start, out of fold (state -> 'checkpoints' -> k -> 'kinds', written by
-- packages/meta/src/fit-checkpoint.ts). A run of another kind gets the before-the-start prediction
-- until a checkpoint answers for it. With history of all 37 development tasks, the 10% checkpoint
-- had made accuracy runs' predicted peaks worse than before they started (bench/README.md,
-- "Meta-learner"). A version fitted before this migration has no `kinds`, and its answers are
-- 0008's, which are 0007's to the last bit (predict-stop.int.test.ts compares with 0007).
-- CREATE OR REPLACE keeps the reader role's grant and the function's comment.
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
  at double precision;
  -- The checkpoint's place in the state's list: its element of meta_history's shape arrays.
  at_index integer;
  spec jsonb;
  -- The shape of the run's curve so far (packages/meta/src/shape.ts computes the same).
  best_fraction double precision;
  best_rel double precision;
  last_rel double precision;
  trend double precision;
  -- The run's kind (its metric), for the checkpoint's `kinds`.
  kind text;
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
    FROM jsonb_array_elements(state -> 'checkpoints') WITH ORDINALITY AS c(spec, ord)
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

  -- A checkpoint answers only the kinds of run (the metric watched) whose leave-one-task-out
  -- error it beat before the start; a run of another kind is predicted as before its start, its
  -- evals unread (packages/meta/src/kernel.ts, answeringCheckpoint; model-state.ts,
  -- checkpointAnswers). A kind the checkpoint has not seen, or a run whose metric is no string, is
  -- answered as `unseen` says (true when absent). Versions without `kinds` answer every run at the
  -- checkpoint it reached, as 0008 did.
  kind := CASE WHEN jsonb_typeof(curfew_predict_stop.features -> 'metric') = 'string'
    THEN curfew_predict_stop.features ->> 'metric' END;
  IF at > 0 AND best_fraction IS NOT NULL AND jsonb_typeof(spec -> 'kinds') = 'object' AND NOT (CASE
      WHEN kind IS NOT NULL AND coalesce((spec -> 'kinds' -> 'answers') ? kind, false) THEN true
      WHEN kind IS NOT NULL AND coalesce((spec -> 'kinds' -> 'start') ? kind, false) THEN false
      ELSE coalesce((spec -> 'kinds' ->> 'unseen')::boolean, true)
    END) THEN
    SELECT c.spec, 0, c.ord::int INTO spec, at, at_index
    FROM jsonb_array_elements(state -> 'checkpoints') WITH ORDINALITY AS c(spec, ord)
    WHERE (c.spec ->> 'at')::float8 = 0
    LIMIT 1;
    best_fraction := NULL;
    best_rel := NULL;
    last_rel := NULL;
    trend := NULL;
  END IF;

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
  FROM jsonb_array_elements(state -> 'numeric') WITH ORDINALITY AS f(spec, ord);
  SELECT coalesce(array_agg((f.spec ->> 'weight')::float8 ORDER BY f.ord), '{}'),
    coalesce(array_agg(CASE WHEN curfew_predict_stop.features ? (f.spec ->> 'key')
      THEN curfew_predict_stop.features ->> (f.spec ->> 'key') END ORDER BY f.ord), '{}')
  INTO cat_weight, cat_q
  FROM jsonb_array_elements(state -> 'categories') WITH ORDINALITY AS f(spec, ord);
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
      FROM meta_history h
      WHERE h.meta_model_version = $11
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
    d2)
  INTO weights, total, peak_value, final_value, runs, top
  USING num_weight, num_q, mp, cat_weight, cat_q, shape_weight, at, best_rel, last_rel, trend, version, best_fraction, at_index;

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
