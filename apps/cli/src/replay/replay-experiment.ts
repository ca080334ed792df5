import { openCliStore } from '../cluster/connect';
import type { CommandContext } from '../command';
import { CliError } from '../errors';

/**
 * `curfew replay --experiment ID`: rebuilds every decision of an experiment from its decision log
 * and checks each reproduces the recorded one exactly. Exit 0 when all do, 1 (listing the first
 * few that do not) otherwise.
 */
export async function replayExperiment(experimentId: string, ctx: CommandContext): Promise<number> {
  const { replayDecisionLog } = await import('@curfew/decisions');
  const store = await openCliStore(ctx.env);
  try {
    const result = await replayDecisionLog(store.db, experimentId);
    if (result.decisions === 0)
      throw new CliError(`curfew replay: experiment ${experimentId} has no recorded decisions yet`);
    const discarded =
      result.discarded > 0 ? ` (${result.discarded} about evals a resumed attempt discarded)` : '';
    if (result.mismatches.length === 0) {
      ctx.out(
        `${experimentId}: replayed ${result.decisions} decisions${discarded}: every one reproduced exactly`,
      );
      return 0;
    }
    ctx.out(
      `${experimentId}: replayed ${result.decisions} decisions${discarded}: ${result.mismatches.length} differ`,
    );
    for (const m of result.mismatches.slice(0, 10))
      ctx.out(
        `  ${m.runId} step ${m.step} (seq ${m.seq}): ${m.what} recorded ${JSON.stringify(m.recorded)}, replayed ${JSON.stringify(m.replayed)}`,
      );
    return 1;
  } finally {
    await store.close();
  }
}
