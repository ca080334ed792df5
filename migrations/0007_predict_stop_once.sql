-- curfew_predict_stop reads the model's peak mass once per call instead of once per span of bins
-- (about 4,000 of them): the state is a large jsonb, detoasted again at every read, which was
-- two thirds of a prediction's time (EXPLAIN ANALYZE at 1,626 kept runs: 20 of 33 ms). Same
-- arguments, same result; CREATE OR REPLACE keeps the reader role's grant and the comment.
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
LANGUAGE sql STABLE
AS $$
WITH model AS (
  SELECT m.version, m.state FROM meta_models m
  WHERE m.state ->> 'kind' = 'relevance-kernel/1'
  ORDER BY m.version DESC LIMIT 1
),
obs AS (
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
  SELECT c.spec, (c.spec ->> 'at')::float8 AS at
  FROM model, jsonb_array_elements(model.state -> 'checkpoints') AS c(spec)
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
),
q AS (
  -- The shape of the run's curve so far (packages/meta/src/shape.ts computes the same).
  SELECT qs.best_fraction,
    least(1, greatest(0, qs.best_fraction / cp.at)) AS best_rel,
    CASE WHEN qs.hi > qs.lo THEN (qs.last_v - qs.lo) / (qs.hi - qs.lo) ELSE 1 END AS last_rel,
    CASE WHEN qs.hi > qs.lo AND qs.late IS NOT NULL AND qs.early IS NOT NULL
      THEN (qs.late - qs.early) / (qs.hi - qs.lo) ELSE 0 END AS trend
  FROM qs, cp WHERE cp.at > 0 AND qs.best_fraction IS NOT NULL
),
sw AS (
  SELECT cp.at,
    -- Calibrated within the run's family where history had enough of its tasks (Mondrian conformal).
    coalesce((cp.spec -> 'familyMass' ->> (curfew_predict_stop.features ->> 'family'))::float8,
      (cp.spec ->> 'intervalMass')::float8) AS mass,
    coalesce((cp.spec -> 'shapeWeights' ->> 0)::float8, 0) AS wb,
    coalesce((cp.spec -> 'shapeWeights' ->> 1)::float8, 0) AS wl,
    coalesce((cp.spec -> 'shapeWeights' ->> 2)::float8, 0) AS wt,
    (model.state ->> 'missingPenalty')::float8 AS mp,
    -- Read once here: the state is a large jsonb, detoasted again at every row that reads it.
    (model.state ->> 'peakMass')::float8 AS peak_mass
  FROM cp, model
),
num_spec AS MATERIALIZED (
  -- The query's numeric features, encoded as the history's were (materialized: once, not per past run).
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
cat_spec AS MATERIALIZED (
  SELECT f.ord::int AS ord, (f.spec ->> 'weight')::float8 AS weight,
    CASE WHEN curfew_predict_stop.features ? (f.spec ->> 'key') THEN curfew_predict_stop.features ->> (f.spec ->> 'key') END AS q
  FROM model, jsonb_array_elements(model.state -> 'categories') WITH ORDINALITY AS f(spec, ord)
),
shapes AS MATERIALIZED (
  -- The kept runs' shapes at the run's checkpoint, hashed by run id for the join below.
  SELECT s.run_id, s.best_rel, s.last_rel, s.trend
  FROM meta_shapes s, model, sw
  WHERE s.meta_model_version = model.version AND s.checkpoint = sw.at
),
dist AS MATERIALIZED (
  -- Materialized: the distance is read three times below, and must be computed once per past run.
  SELECT h.run_id, h.peak_fraction, h.peak_value, h.final_value,
    -- A past run that had peaked by the checkpoint stands for this run's own best so far.
    CASE WHEN q.best_fraction IS NOT NULL AND h.peak_fraction <= sw.at + 1e-9
      THEN q.best_fraction ELSE h.peak_fraction END AS eff,
    coalesce((
      SELECT sum(n.weight * CASE
        WHEN h.num[n.ord] IS NULL AND n.q IS NULL THEN 0
        WHEN h.num[n.ord] IS NULL OR n.q IS NULL THEN sw.mp
        ELSE (h.num[n.ord] - n.q) ^ 2 END)
      FROM num_spec n), 0)
    + coalesce((
      SELECT sum(c.weight) FROM cat_spec c WHERE h.cat[c.ord] IS DISTINCT FROM c.q), 0)
    + CASE
        WHEN q.best_fraction IS NULL THEN 0
        WHEN s.run_id IS NULL THEN sw.mp * (sw.wb + sw.wl + sw.wt)
        ELSE sw.wb * (s.best_rel - q.best_rel) ^ 2 + sw.wl * (s.last_rel - q.last_rel) ^ 2
          + sw.wt * (s.trend - q.trend) ^ 2
      END AS d2
  FROM model CROSS JOIN sw LEFT JOIN q ON true
  JOIN meta_history h ON h.meta_model_version = model.version
  LEFT JOIN shapes s ON s.run_id = h.run_id
),
weighted AS (
  -- Gaussian kernel: the nearest past run weighs 1, a run one unit of squared distance further e^-1;
  -- past e^-700 a run weighs 0 (exp would underflow, an error in Postgres).
  SELECT x.*, CASE WHEN x.excess > 700 THEN 0 ELSE exp(-x.excess) END AS w
  FROM (
    SELECT d.*, d.d2 - min(d.d2) OVER () AS excess, round(least(1, greatest(0, d.eff)) * 100)::int AS bin
    FROM dist d
  ) x
),
totals AS (
  SELECT sum(w) AS w, sum(w * peak_value) / sum(w) AS peak_value, sum(w * final_value) / sum(w) AS final_value,
    count(*)::int AS runs
  FROM weighted
),
bins AS (
  SELECT b.bin, coalesce(hb.w, 0) AS w, sum(coalesce(hb.w, 0)) OVER (ORDER BY b.bin) AS cum
  FROM generate_series(0, 100) AS b(bin)
  LEFT JOIN (SELECT bin, sum(w) AS w FROM weighted GROUP BY bin) hb ON hb.bin = b.bin
),
spans AS (
  -- Every run of bins [i, j] with its mass; the narrowest holding enough mass wins (ties: lower
  -- start). The narrowest both starts and ends at a bin with weight, so only those are paired.
  SELECT i.bin AS first, j.bin AS last, j.cum - i.cum + i.w AS mass
  FROM bins i JOIN bins j ON j.bin >= i.bin
  WHERE i.w > 0 AND j.w > 0
),
peak AS (
  -- The point prediction: the midpoint of the densest half of the (effective) peaks' weight.
  SELECT s.first, s.last FROM spans s, sw, bins t
  WHERE t.bin = 100 AND s.mass >= sw.peak_mass * t.cum
  ORDER BY s.last - s.first, s.first LIMIT 1
),
band AS (
  SELECT s.first, s.last FROM spans s, sw, bins t
  WHERE t.bin = 100 AND s.mass >= sw.mass * t.cum
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
  SELECT model.version, sw.at, (peak.first + peak.last) / 200.0 AS peak_fraction,
    greatest(0, (band.first - 0.5) / 100.0) AS low,
    least(1, (band.last + 0.5) / 100.0) AS high,
    totals.peak_value, totals.final_value, totals.runs, top.sources
  FROM model, sw, peak, band, totals, top
)
SELECT r.version, r.at, r.peak_fraction::float8, r.low::float8, r.high::float8,
  r.peak_fraction * curfew_predict_stop.budget_tokens, r.low * curfew_predict_stop.budget_tokens,
  r.high * curfew_predict_stop.budget_tokens,
  r.peak_value, r.final_value, r.runs, r.sources
FROM result r
$$;
