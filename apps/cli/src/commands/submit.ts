import { parseCommandArgs } from '../args';
import { commandRedis, openCliStore, queueSettings } from '../cluster/connect';
import { submitSpec } from '../cluster/submit-spec';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { loadValidSpec } from '../experiments/load-valid-spec';
import { waitForExperiments } from '../experiments/progress';
import { experimentSummary } from '../experiments/summary';
import { liveRegion } from '../output/live-region';

const USAGE = `Usage: curfew submit SPEC [--wait]

Validates SPEC and stores it as a new experiment (a bad spec prints its problems, stores nothing
and exits 1), then wakes the scheduler, which expands it into runs for the workers. Prints the
experiment id (NAME-N).

Options:
  --wait   show a progress bar per run (tokens, EM, learning rate, status) until the experiment
           ends, then its summary

Needs a running cluster (curfew up) or a scheduler and workers on the same database and Redis.`;

export const submitCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('submit', args, { wait: { type: 'boolean' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError('curfew submit: name one spec file (see curfew submit --help)');
    const spec = await loadValidSpec(positionals[0] as string, ctx, 'submit');
    const store = await openCliStore(ctx.env);
    const { redisUrl, queuePrefix } = queueSettings(ctx.env);
    const redis = commandRedis(redisUrl);
    try {
      let queue: { redis: typeof redis; prefix: string } | null = { redis, prefix: queuePrefix };
      try {
        await redis.ping();
      } catch {
        queue = null;
      }
      const { id, runs } = await submitSpec(store.db, spec, queue);
      ctx.out(`submitted ${id}: ${runs} run${runs === 1 ? '' : 's'}`);
      if (!queue)
        ctx.err(
          `curfew submit: Redis at ${redisUrl} is unreachable; the scheduler will find ${id} when it runs`,
        );
      if (!values.wait) return 0;
      await waitForExperiments(store.db, [id], { out: ctx.out, live: liveRegion(ctx.env) });
      ctx.out(await experimentSummary(store.db, id));
      return 0;
    } finally {
      redis.disconnect();
      await store.close();
    }
  },
};
