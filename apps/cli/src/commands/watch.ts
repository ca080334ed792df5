import { experimentsWithStatus, runProgress } from '@curfew/store';
import { parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import { progressLine } from '../experiments/progress';
import { queueLine } from './status';

const USAGE = `Usage: curfew watch [--interval SECONDS]

A live view of the runs queue and the runs of every running experiment (tokens, EM, learning
rate, status), redrawn every second (--interval) until Ctrl-C.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'live view of the queues and active runs',
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('watch', args, { interval: { type: 'string' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const intervalMs = Math.max(200, 1000 * Number(values.interval ?? 1));
    const store = await openCliStore(ctx.env);
    let stopped = false;
    process.once('SIGINT', () => {
      stopped = true;
    });
    const redraw = process.stdout.isTTY === true;
    let drawn = 0;
    try {
      while (!stopped) {
        const lines = [new Date().toISOString(), await queueLine(ctx.env)];
        for (const e of await experimentsWithStatus(store.db, ['pending', 'running'])) {
          lines.push(`${e.id} (${e.status}, ${e.policy})`);
          for (const run of await runProgress(store.db, e.id))
            if (run.status === 'running' || run.status === 'queued') lines.push(`  ${progressLine(run)}`);
        }
        if (lines.length === 2) lines.push('no experiment is running');
        ctx.out(`${redraw && drawn > 0 ? `\u001b[${drawn}A\u001b[J` : ''}${lines.join('\n')}`);
        drawn = lines.length;
        if (!redraw) break;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
