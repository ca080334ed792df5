import { z } from 'zod';
import { Attempt, RunId, Step, Tokens } from './fields.js';

/** A worker takes a run: start its next attempt (the fence of every later write). */
export const StartAttemptRequest = z.strictObject({
  runId: RunId,
  /** Who takes it, for the record: `host:pid`. */
  workerId: z.string().min(1).max(200),
  /** Training backend (node-gpu, node, wasm, cpu, or a command trainer's name). */
  backend: z.string().min(1).max(64).nullable(),
});
export type StartAttemptRequest = z.infer<typeof StartAttemptRequest>;

/** A checkpoint an earlier attempt recorded and no resume has discarded since. */
export const ResumableCheckpoint = z.strictObject({
  attempt: Attempt,
  step: Step,
  tokens: Tokens,
  path: z.string(),
});
export type ResumableCheckpoint = z.infer<typeof ResumableCheckpoint>;

export const StartAttemptResponse = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('started'),
    attempt: Attempt,
    /** Newest step first: adopt the first one whose files hold that step, or none. */
    checkpoints: z.array(ResumableCheckpoint),
    /** The stop model (meta_models.version) the run's policy decides with. */
    stopModelVersion: z.int().nullable(),
  }),
  z.strictObject({
    kind: z.literal('refused'),
    /** The run's status: it has ended, was cancelled, or was failed (out of attempts). */
    status: z.string(),
    reason: z.string(),
  }),
]);
export type StartAttemptResponse = z.infer<typeof StartAttemptResponse>;
