-- Documented views for people who query curfew with SQL (`curfew sql`, psql).
-- Views are part of the user interface: rename a column only in a new migration, never here.
CREATE OR REPLACE VIEW run_summary AS
SELECT
  r.experiment_id AS experiment,
  e.name AS experiment_name,
  r.id AS run_id,
  r.trial,
  r.status,
  r.config,
  r.tokens_used,
  r.budget_tokens,
  CASE WHEN r.budget_tokens > 0 THEN 1 - r.tokens_used::double precision / r.budget_tokens END AS tokens_saved,
  r.best_step,
  r.deployed_em,
  r.stop_reason,
  r.backend,
  (SELECT count(*) FROM evals v WHERE v.run_id = r.id) AS evals,
  r.started_at,
  r.finished_at
FROM runs r
JOIN experiments e ON e.id = r.experiment_id;
--> statement-breakpoint
COMMENT ON VIEW run_summary IS 'One row per run (trial) of every experiment: tokens used against its budget, deployed EM and why it stopped.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.experiment IS 'Experiment id, e.g. kv-qa-sweep-3.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.experiment_name IS 'Name from the experiment spec.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.run_id IS 'Run id: <experiment>/<trial>.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.status IS 'queued, running, stopped (early, by its policy), completed (full budget), failed or cancelled.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.config IS 'The configuration drawn from the search space.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.tokens_used IS 'Training tokens processed (validation tokens not included).';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.budget_tokens IS 'Most training tokens the run may use (max_tokens_per_run).';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.tokens_saved IS 'Fraction of the budget not spent: 1 - tokens_used / budget_tokens. Null when the budget is unknown.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.best_step IS 'Step of the best eval (the checkpoint the run would ship).';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.deployed_em IS 'Exact Match of the best eval so far (restore best).';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.stop_reason IS 'Why the policy stopped the run, e.g. plateau.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.backend IS 'Training backend the worker used.';
--> statement-breakpoint
COMMENT ON COLUMN run_summary.evals IS 'Number of evals recorded.';
--> statement-breakpoint
CREATE OR REPLACE VIEW experiment_summary AS
SELECT
  e.id AS experiment,
  e.name,
  e.status,
  e.task_family,
  e.policy,
  e.tolerance,
  agg.runs,
  agg.runs_finished,
  agg.runs_stopped_early,
  agg.runs_failed,
  coalesce(agg.tokens_used, e.tokens_used) AS tokens_used,
  coalesce(agg.budget_tokens, e.budget_tokens) AS budget_tokens,
  CASE WHEN coalesce(agg.budget_tokens, e.budget_tokens) > 0
    THEN 1 - coalesce(agg.tokens_used, e.tokens_used)::double precision / coalesce(agg.budget_tokens, e.budget_tokens)
  END AS tokens_saved,
  coalesce(best.deployed_em, e.best_em) AS best_em,
  coalesce(best.run_id, e.best_run_id) AS best_run_id,
  e.created_at,
  e.finished_at
FROM experiments e
CROSS JOIN LATERAL (
  SELECT
    count(*) AS runs,
    count(*) FILTER (WHERE r.status IN ('completed', 'stopped')) AS runs_finished,
    count(*) FILTER (WHERE r.status = 'stopped') AS runs_stopped_early,
    count(*) FILTER (WHERE r.status = 'failed') AS runs_failed,
    sum(r.tokens_used)::bigint AS tokens_used,
    CASE WHEN count(*) > 0 AND count(r.budget_tokens) = count(*) THEN sum(r.budget_tokens)::bigint END AS budget_tokens
  FROM runs r
  WHERE r.experiment_id = e.id
) agg
LEFT JOIN LATERAL (
  SELECT r.id AS run_id, r.deployed_em
  FROM runs r
  WHERE r.experiment_id = e.id AND r.deployed_em IS NOT NULL
  ORDER BY r.deployed_em DESC, r.tokens_used ASC, r.trial ASC
  LIMIT 1
) best ON true;
--> statement-breakpoint
COMMENT ON VIEW experiment_summary IS 'One row per experiment, totals computed from its runs.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.experiment IS 'Experiment id, e.g. kv-qa-sweep-3.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.status IS 'pending, running, done, failed or cancelled.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.tolerance IS 'EM the user accepts to lose (0.005 = half a point).';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.runs IS 'Runs (trials) created so far.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.runs_finished IS 'Runs that trained to the end: completed (full budget) or stopped early by the policy.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.runs_stopped_early IS 'Runs the policy stopped before their budget.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.runs_failed IS 'Runs that ended with an error.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.tokens_used IS 'Training tokens used by all runs.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.budget_tokens IS 'Sum of the runs'' budgets; the stored experiment budget when some run has none.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.tokens_saved IS 'Fraction of the budget not spent: 1 - tokens_used / budget_tokens. Provisional while runs are queued or running.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.best_em IS 'Highest deployed EM among the runs.';
--> statement-breakpoint
COMMENT ON COLUMN experiment_summary.best_run_id IS 'Run with the highest deployed EM (ties: fewer tokens, then lower trial).';
--> statement-breakpoint
CREATE OR REPLACE VIEW savings AS
WITH finished AS (
  SELECT e.task_family, e.policy, r.experiment_id, r.tokens_used, r.budget_tokens, r.deployed_em
  FROM runs r
  JOIN experiments e ON e.id = r.experiment_id
  WHERE r.status IN ('completed', 'stopped') AND r.budget_tokens > 0
),
grouped AS (
  SELECT
    0 AS sort_key,
    task_family,
    policy,
    count(DISTINCT experiment_id) AS experiments,
    count(*) AS runs,
    sum(tokens_used)::bigint AS tokens_used,
    sum(budget_tokens)::bigint AS budget_tokens,
    avg(deployed_em) AS mean_deployed_em
  FROM finished
  GROUP BY task_family, policy
  UNION ALL
  SELECT
    1 AS sort_key,
    'all',
    'all',
    count(DISTINCT experiment_id),
    count(*),
    sum(tokens_used)::bigint,
    sum(budget_tokens)::bigint,
    avg(deployed_em)
  FROM finished
)
SELECT
  task_family,
  policy,
  experiments,
  runs,
  tokens_used,
  budget_tokens,
  CASE WHEN budget_tokens > 0 THEN 1 - tokens_used::double precision / budget_tokens END AS tokens_saved,
  mean_deployed_em
FROM grouped
ORDER BY sort_key, task_family, policy;
--> statement-breakpoint
COMMENT ON VIEW savings IS 'Tokens saved against the full budget by finished runs (completed or stopped early), per task family and policy, plus an overall row (task_family = ''all'').';
--> statement-breakpoint
COMMENT ON COLUMN savings.task_family IS 'Task family, or ''all'' for the overall row.';
--> statement-breakpoint
COMMENT ON COLUMN savings.policy IS 'Stopping policy, or ''all'' for the overall row.';
--> statement-breakpoint
COMMENT ON COLUMN savings.experiments IS 'Experiments with at least one finished run.';
--> statement-breakpoint
COMMENT ON COLUMN savings.runs IS 'Finished runs with a known budget.';
--> statement-breakpoint
COMMENT ON COLUMN savings.tokens_used IS 'Training tokens those runs used.';
--> statement-breakpoint
COMMENT ON COLUMN savings.budget_tokens IS 'Training tokens those runs would have used at full budget.';
--> statement-breakpoint
COMMENT ON COLUMN savings.tokens_saved IS 'Fraction of the full budget not spent: 1 - tokens_used / budget_tokens.';
--> statement-breakpoint
COMMENT ON COLUMN savings.mean_deployed_em IS 'Mean deployed EM of those runs.';
