import { type CancelResult, cancelRuns, getExperiment, runsOf, type StoreDatabase } from '@curfew/store';
import { parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import { UsageError } from '../errors';

const USAGE = `Usage: curfew cancel EXPERIMENT|RUN...

Cancels an experiment's runs (or single runs, EXPERIMENT/TRIAL) at whatever state they are in:
an experiment not yet expanded into runs never is, queued runs never start, running ones stop at
their next eval (this waits up to 30 s for them) and keep what they have written; runs that had
already ended are left as they are.`;

/** How long to wait for running runs to stop at their next eval. */
const WAIT_MS = 30_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Waits until the runs have ended (or the time is up); returns those still running. */
async function untilEnded(
  db: StoreDatabase,
  experimentId: string,
  ids: readonly string[],
): Promise<string[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const running = (await runsOf(db, experimentId))
      .filter((r) => ids.includes(r.id) && (r.status === 'running' || r.status === 'queued'))
      .map((r) => r.id);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function describe(target: string, result: CancelResult, stillRunning: readonly string[]): string {
  if (result.experimentCancelled)
    return `${target}: cancelled before it started (it had not been expanded into runs yet)`;
  const stopped = result.cancelled.length + result.requested.length - stillRunning.length;
  const parts = [`cancelled ${plural(stopped, 'run')}`];
  if (stillRunning.length > 0)
    parts.push(
      `${plural(stillRunning.length, 'running run')} will stop at their next eval (${stillRunning.join(', ')})`,
    );
  if (result.ended.length > 0) {
    const how = [...new Set(result.ended.map((r) => r.status))].join(', ');
    parts.push(`${plural(result.ended.length, 'run')} had already ended (${how})`);
  }
  return `${target}: ${parts.join('; ')}`;
}

export const cancelCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('cancel', args, {});
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    if (positionals.length === 0)
      throw new UsageError('curfew cancel: name an experiment or a run (see curfew cancel --help)');
    const store = await openCliStore(ctx.env);
    try {
      for (const target of positionals) {
        const experimentId = target.includes('/') ? (target.split('/')[0] as string) : target;
        await getExperiment(store.db, experimentId);
        const result = await cancelRuns(store.db, experimentId, target.includes('/') ? [target] : undefined);
        const stillRunning = await untilEnded(store.db, experimentId, result.requested);
        ctx.out(describe(target, result, stillRunning));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
