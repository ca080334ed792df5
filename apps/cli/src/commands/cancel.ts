import { createQueue, QUEUE_NAMES } from '@curfew/queue';
import { cancelRuns, closeExperimentIfEnded, getExperiment, runsOf } from '@curfew/store';
import { parseCommandArgs } from '../args';
import { commandRedis, openCliStore, queueSettings } from '../cluster/connect';
import type { Command } from '../command';
import { UsageError } from '../errors';

const USAGE = `Usage: curfew cancel EXPERIMENT|RUN...

Cancels an experiment's runs (or single runs, EXPERIMENT/TRIAL): queued runs never start,
running ones stop at their next eval and keep what they have written.`;

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
    const { redisUrl, queuePrefix } = queueSettings(ctx.env);
    const redis = commandRedis(redisUrl);
    const queue = createQueue(QUEUE_NAMES.runs, redis, queuePrefix);
    try {
      for (const target of positionals) {
        const experimentId = target.includes('/') ? (target.split('/')[0] as string) : target;
        await getExperiment(store.db, experimentId);
        const ids = target.includes('/') ? [target] : (await runsOf(store.db, target)).map((r) => r.id);
        const cancelled = await cancelRuns(store.db, ids);
        // Waiting jobs are removed; an active one stops itself at its next eval.
        for (const id of ids)
          await (await queue.getJob(id).catch(() => undefined))?.remove().catch(() => undefined);
        await closeExperimentIfEnded(store.db, experimentId);
        ctx.out(`${target}: cancelled ${cancelled} run${cancelled === 1 ? '' : 's'}`);
      }
      return 0;
    } finally {
      await queue.close().catch(() => undefined);
      redis.disconnect();
      await store.close();
    }
  },
};
