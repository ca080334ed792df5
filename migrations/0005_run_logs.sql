-- A command trainer's output per attempt, bounded to its last 262144 characters (run_logs.ts).
CREATE TABLE "run_logs" (
	"run_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"total_chars" bigint DEFAULT 0 NOT NULL,
	"dropped_chars" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_logs_pk" PRIMARY KEY("run_id","attempt"),
	CONSTRAINT "run_logs_text_bound" CHECK (length("run_logs"."text") <= 262144)
);
--> statement-breakpoint
ALTER TABLE "run_logs" ADD CONSTRAINT "run_logs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
COMMENT ON TABLE "run_logs" IS 'A command trainer''s output per attempt (lines that are not eval lines, and curfew''s notes about the program), bounded to its last 262144 characters; curfew logs RUN prints it.';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."run_id" IS 'The run (<experiment id>/<trial>).';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."attempt" IS 'The attempt that wrote this output (run_attempts.attempt).';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."text" IS 'The latest output, one line per line; its start is dropped past 262144 characters.';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."total_chars" IS 'Characters the attempt wrote, kept or dropped.';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."dropped_chars" IS 'Characters dropped from the start to keep the bound.';--> statement-breakpoint
COMMENT ON COLUMN "run_logs"."updated_at" IS 'When output was last appended.';
