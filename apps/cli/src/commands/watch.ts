import { experimentsWithStatus, runProgress, type StoreDatabase } from '@curfew/store';
import { numberFlag, parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import type { ResolvedEnv } from '../env';
import { progressLine } from '../experiments/progress';
import { liveRegion } from '../output/live-region';
import { queueLine } from './status';

const USAGE = `Usage: curfew watch [--interval SECONDS]

A live view of the runs queue and the runs of every running experiment (tokens, EM, learning
rate, status), redrawn in place every second (--interval, at least 0.2) until Ctrl-C. When
stdout is not a terminal it prints the view once; with NO_COLOR set it prints it again every
interval instead of redrawing it.`;

/** One drawing of the view; `width` is the terminal's when redrawing in place. */
async function view(db: StoreDatabase, env: ResolvedEnv, width: number | undefined): Promise<string[]> {
  const lines = [new Date().toISOString(), await queueLine(env)];
  for (const e of await experimentsWithStatus(db, ['pending', 'running'])) {
    lines.push(`${e.id} (${e.status}, ${e.policy})`);
    for (const run of await runProgress(db, e.id))
      if (run.status === 'running' || run.status === 'queued')
        lines.push(`  ${progressLine(run, width === undefined ? undefined : width - 2)}`);
  }
  if (lines.length === 2) lines.push('no experiment is running');
  return lines;
}

export const watchCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('watch', args, { interval: { type: 'string' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const interval = values.interval as string | undefined;
    const intervalMs = 1000 * numberFlag('watch', 'interval', interval, { min: 0.2, unit: 'seconds' }, 1);
    const store = await openCliStore(ctx.env);
    let stopped = false;
    const stop = () => {
      stopped = true;
    };
    process.once('SIGINT', stop);
    const live = liveRegion(ctx.env);
    const repeat = live !== null || process.stdout.isTTY === true;
    try {
      while (!stopped) {
        const lines = await view(store.db, ctx.env, live?.columns);
        if (live) live.render(lines);
        else ctx.out(lines.join('\n'));
        if (!repeat) break;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
      live?.done();
      return 0;
    } finally {
      process.off('SIGINT', stop);
      await store.close();
    }
  },
};
