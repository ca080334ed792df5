CREATE TABLE "checkpoints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" text NOT NULL,
	"step" integer NOT NULL,
	"tokens" bigint NOT NULL,
	"path" text NOT NULL,
	"is_best" boolean DEFAULT false NOT NULL,
	"bytes" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoints_run_id_step_unique" UNIQUE("run_id","step")
);
--> statement-breakpoint
CREATE TABLE "evals" (
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
	CONSTRAINT "evals_run_id_step_pk" PRIMARY KEY("run_id","step")
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"task_family" text NOT NULL,
	"policy" text NOT NULL,
	"tolerance" double precision,
	"status" text DEFAULT 'pending' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"max_parallel" integer,
	"tokens_used" bigint DEFAULT 0 NOT NULL,
	"budget_tokens" bigint,
	"best_em" double precision,
	"best_run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "experiments_status_check" CHECK ("experiments"."status" in ('pending', 'running', 'done', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "meta_models" (
	"version" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "meta_models_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"n_runs" integer NOT NULL,
	"n_tasks" integer NOT NULL,
	"state" jsonb NOT NULL,
	"loto_error" double precision,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "predictions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" text NOT NULL,
	"meta_model_version" integer,
	"predicted_peak_tokens" double precision,
	"low" double precision,
	"high" double precision,
	"predicted_final_em" double precision,
	"sources" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment_id" text NOT NULL,
	"trial" integer NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"budget_tokens" bigint,
	"tokens_used" bigint DEFAULT 0 NOT NULL,
	"val_tokens" bigint DEFAULT 0 NOT NULL,
	"best_step" integer,
	"best_tokens" bigint,
	"deployed_em" double precision,
	"stop_reason" text,
	"backend" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "runs_experiment_id_trial_unique" UNIQUE("experiment_id","trial"),
	CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('queued', 'running', 'stopped', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evals" ADD CONSTRAINT "evals_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_meta_model_version_meta_models_version_fk" FOREIGN KEY ("meta_model_version") REFERENCES "public"."meta_models"("version") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "experiments_status_idx" ON "experiments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "experiments_task_family_idx" ON "experiments" USING btree ("task_family");--> statement-breakpoint
CREATE INDEX "predictions_run_id_idx" ON "predictions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");