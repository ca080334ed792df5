import type { DecisionService } from '@curfew/decisions';
import { ExperimentSpec } from '@curfew/spec';
import { runAttempts, runsOf, type StoreDatabase } from '@curfew/store';
import { and, eq } from 'drizzle-orm';

/**
 * An experiment whose runs trainers take through the report API: never dispatched to workers.
 * Returns how long such a run may go without an eval (its `trainer.eval_timeout_ms`), or null
 * for an experiment the workers train.
 */
export function externalTimeoutMs(storedSpec: unknown): number | null {
  const parsed = ExperimentSpec.safeParse(storedSpec);
  const trainer = parsed.success ? parsed.data.trainer : undefined;
  return trainer?.external === true ? trainer.eval_timeout_ms : null;
}

/**
 * A trainer outside the cluster that took a run and went silent (a closed notebook, a dead GPU
 * box) has no job for the queue reconciler to see: its attempt is abandoned once it has reported
 * nothing for the timeout, and the run goes back for another trainer to take (and resume).
 */
export async function reconcileExternalRuns(
  db: StoreDatabase,
  experimentId: string,
  options: { service: DecisionService; log: (line: string) => void; timeoutMs: number; now?: number },
): Promise<number> {
  let repaired = 0;
  const now = options.now ?? Date.now();
  for (const run of await runsOf(db, experimentId)) {
    if (run.status !== 'running') continue;
    const [attempt] = await db
      .select()
      .from(runAttempts)
      .where(and(eq(runAttempts.runId, run.id), eq(runAttempts.attempt, run.attempts)));
    const lastHeard = (attempt?.lastReportAt ?? attempt?.startedAt)?.getTime() ?? now;
    if (now - lastHeard <= options.timeoutMs) continue;
    const abandoned = await options.service.abandon({
      runId: run.id,
      attempt: run.attempts,
      reason: `its external trainer reported nothing for ${options.timeoutMs} ms (trainer.eval_timeout_ms)`,
    });
    if (abandoned) {
      repaired += 1;
      options.log(`run ${run.id}: external attempt ${run.attempts} went silent; run ${abandoned.status}`);
    }
  }
  return repaired;
}
