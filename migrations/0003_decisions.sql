CREATE TABLE "decisions" (
	"experiment_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"run_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"step" integer NOT NULL,
	"tokens" bigint NOT NULL,
	"watermark" bigint NOT NULL,
	"kind" text NOT NULL,
	"reason" text,
	"decision" jsonb NOT NULL,
	"policy_state" jsonb NOT NULL,
	"stop_model_version" integer,
	"discarded_seq" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decisions_pk" PRIMARY KEY("experiment_id","seq"),
	CONSTRAINT "decisions_run_id_attempt_step_unique" UNIQUE("run_id","attempt","step"),
	CONSTRAINT "decisions_kind_check" CHECK ("decisions"."kind" in ('continue', 'stop', 'adjust'))
);
--> statement-breakpoint
CREATE TABLE "discarded_evals" (
	"run_id" text NOT NULL,
	"step" integer NOT NULL,
	"tokens" bigint NOT NULL,
	"val_tokens" bigint DEFAULT 0 NOT NULL,
	"train_loss" double precision,
	"val_loss" double precision,
	"em" double precision,
	"perplexity" double precision,
	"lr" double precision,
	"val_examples" integer,
	"metrics" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seq" bigint,
	"attempt" integer,
	"discarded_seq" bigint NOT NULL,
	"discarded_by_attempt" integer NOT NULL,
	"discarded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "discarded_evals_pk" PRIMARY KEY("run_id","discarded_seq","step")
);
--> statement-breakpoint
CREATE TABLE "run_attempts" (
	"run_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"worker_id" text NOT NULL,
	"backend" text,
	"stop_model_version" integer,
	"resumed_from_attempt" integer,
	"resumed_from_step" integer,
	"resumed_at" timestamp with time zone,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_report_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"outcome" text,
	"error" text,
	CONSTRAINT "run_attempts_pk" PRIMARY KEY("run_id","attempt"),
	CONSTRAINT "run_attempts_outcome_check" CHECK ("run_attempts"."outcome" in ('completed', 'stopped', 'cancelled', 'failed', 'requeued', 'superseded', 'abandoned'))
);
--> statement-breakpoint
ALTER TABLE "checkpoints" DROP CONSTRAINT "checkpoints_run_id_step_unique";--> statement-breakpoint
ALTER TABLE "checkpoints" ADD COLUMN "attempt" integer;--> statement-breakpoint
ALTER TABLE "checkpoints" ADD COLUMN "discarded_seq" bigint;--> statement-breakpoint
ALTER TABLE "evals" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "evals" ADD COLUMN "attempt" integer;--> statement-breakpoint
ALTER TABLE "experiments" ADD COLUMN "event_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "end_seq" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancel_requested_seq" bigint;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_stop_model_version_meta_models_version_fk" FOREIGN KEY ("stop_model_version") REFERENCES "public"."meta_models"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discarded_evals" ADD CONSTRAINT "discarded_evals_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_attempts" ADD CONSTRAINT "run_attempts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_attempts" ADD CONSTRAINT "run_attempts_stop_model_version_meta_models_version_fk" FOREIGN KEY ("stop_model_version") REFERENCES "public"."meta_models"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "decisions_run_id_step_idx" ON "decisions" USING btree ("run_id","step");--> statement-breakpoint
CREATE INDEX "evals_run_id_seq_idx" ON "evals" USING btree ("run_id","seq");--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_run_id_attempt_step_unique" UNIQUE("run_id","attempt","step");--> statement-breakpoint
-- Every column of the decision service's tables carries a comment (\d+ decisions in psql): the
-- dashboard and people typing SQL read them.
COMMENT ON TABLE decisions IS 'The decision log: what the stopping policy answered after each eval of each run, with what it saw (the experiment''s events up to watermark) and the stop-model version it used, so curfew replay --experiment rebuilds and checks every decision. One row per reported eval, including evals a resumed attempt later discarded (discarded_seq set).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.experiment_id IS 'Experiment id, e.g. kv-qa-sweep-3.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.seq IS 'The experiment''s event sequence number of the eval this decision answered (the same as evals.seq): the order in which things happened.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.run_id IS 'Run id: <experiment>/<trial>.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.attempt IS 'The run attempt that reported the eval (run_attempts.attempt).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.step IS 'Training step of the eval.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.tokens IS 'Training tokens of the run at the eval; peers were seen up to the same tokens (a shared token clock).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.watermark IS 'The decision saw every event of the experiment with a sequence number up to this one (evals, discards, run ends of the other runs) and nothing later.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.kind IS 'continue, stop or adjust (change the learning rate or regularisation and go on).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.reason IS 'Why: the stop reason (patience, plateau, median, halving, extrapolation, predicted-peak, hopeless, outranked, diverged, cancelled) or the adjustment''s reason; null for continue.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.decision IS 'The whole decision as the trainer received it, e.g. {"kind":"adjust","lrFactor":0.1,"reason":"lr-drop-before-stop"}.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.policy_state IS 'The policy''s state after this decision (plain JSON); the run''s next decision starts from it, and a resumed attempt from the one at its checkpoint.';
--> statement-breakpoint
COMMENT ON COLUMN decisions.stop_model_version IS 'The stop model (meta_models.version) the policy used; null when it had none (no history yet, or a policy that learns nothing).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.discarded_seq IS 'Null while the decision stands; the event sequence number of the resume that discarded its eval (it lay past the checkpoint a later attempt resumed from).';
--> statement-breakpoint
COMMENT ON COLUMN decisions.created_at IS 'When the decision was recorded.';
--> statement-breakpoint
COMMENT ON TABLE run_attempts IS 'One row per attempt at training a run: which worker took it, which checkpoint it resumed, how it ended. runs.attempts is the number of the live attempt; writes of any other attempt are refused.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.run_id IS 'Run id: <experiment>/<trial>.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.attempt IS 'Attempt number, from 1.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.worker_id IS 'The worker process that took the attempt (host:pid).';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.backend IS 'Training backend the worker used (node-gpu, node, wasm, cpu).';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.stop_model_version IS 'Stop model (meta_models.version) the run''s policy decides with: the newest when the run''s first attempt started, kept by later attempts.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.resumed_from_attempt IS 'The earlier attempt whose checkpoint this attempt adopted; null when it started from scratch.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.resumed_from_step IS 'Step of the adopted checkpoint (0: from scratch); evals past it were moved to discarded_evals. Null until the attempt has resumed.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.resumed_at IS 'When the attempt adopted its checkpoint (or started from scratch).';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.started_at IS 'When the worker took the run.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.last_report_at IS 'When the attempt last reported an eval.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.ended_at IS 'When the attempt ended; null while it is live.';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.outcome IS 'Null while live; completed, stopped, cancelled or failed (the run''s final status), requeued (failed, the run went back to the queue), superseded (another attempt started: this one was presumed dead) or abandoned (its worker was lost: no live job).';
--> statement-breakpoint
COMMENT ON COLUMN run_attempts.error IS 'Why the attempt failed, was requeued or abandoned.';
--> statement-breakpoint
COMMENT ON TABLE discarded_evals IS 'Evals that a resumed attempt discarded because they lay past the checkpoint it resumed from. The evals table keeps one live row per run and step; these stay for the replay of the decision log.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.run_id IS 'Run id: <experiment>/<trial>.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.step IS 'Training step of the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.tokens IS 'Training tokens processed up to the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.val_tokens IS 'Validation tokens processed up to the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.train_loss IS 'Mean training loss since the previous eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.val_loss IS 'Validation loss.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.em IS 'Validation Exact Match.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.perplexity IS 'Validation perplexity (exp of val_loss).';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.lr IS 'Learning rate used up to the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.val_examples IS 'Validation examples scored (fewer than the set when validation was incremental).';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.metrics IS 'Other metrics by name (weight_decay, dropout, full_validation, …).';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.created_at IS 'When the eval was first recorded.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.seq IS 'The experiment''s event sequence number of the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.attempt IS 'The attempt that reported the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.discarded_seq IS 'Event sequence number of the resume that discarded it: decisions with a watermark below it still saw the eval.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.discarded_by_attempt IS 'The attempt whose resume discarded it.';
--> statement-breakpoint
COMMENT ON COLUMN discarded_evals.discarded_at IS 'When it was discarded.';
--> statement-breakpoint
COMMENT ON COLUMN experiments.event_seq IS 'Last event sequence number of the experiment: every eval, discard and run end of its runs takes the next one, under this row''s lock.';
--> statement-breakpoint
COMMENT ON COLUMN runs.attempts IS 'Attempts started; the one with this number is the live attempt, and writes of any other are refused.';
--> statement-breakpoint
COMMENT ON COLUMN runs.tokens_used IS 'Training tokens of the run so far (stored at every eval), its total once it has ended.';
--> statement-breakpoint
COMMENT ON COLUMN runs.end_seq IS 'Event sequence number at which the run reached its final status (stopped, completed, failed or cancelled); null before.';
--> statement-breakpoint
COMMENT ON COLUMN runs.cancel_requested_seq IS 'Event sequence number of a cancel that asked the running run to stop; its next eval answers stop (cancelled). Null when no cancel came while it ran.';
--> statement-breakpoint
COMMENT ON COLUMN evals.seq IS 'The experiment''s event sequence number of the eval (decision service); null for evals written otherwise.';
--> statement-breakpoint
COMMENT ON COLUMN evals.attempt IS 'The run attempt that reported the eval.';
--> statement-breakpoint
COMMENT ON COLUMN checkpoints.attempt IS 'The run attempt that wrote the checkpoint; each attempt writes to its own folder.';
--> statement-breakpoint
COMMENT ON COLUMN checkpoints.discarded_seq IS 'Null while the checkpoint can be resumed; the event sequence number of the resume that discarded evals it holds.';
