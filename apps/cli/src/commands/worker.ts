import { intFlag, parseCommandArgs } from '../args';
import { refuseOwnedEmbedded } from '../cluster/connect';
import { chooseDatabase, describeChoice } from '../cluster/database-choice';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { untilSignal } from '../signals';

const USAGE = `Usage: curfew worker [--concurrency N]

Starts a training worker: a BullMQ worker on the runs queue that trains each run with TF.js,
writes its evals to the database and obeys its stopping policy. Runs until Ctrl-C or SIGTERM,
which checkpoint the runs in progress and hand them back to the queue.

Options:
  --concurrency N   runs trained at once (default: CURFEW_WORKER_CONCURRENCY or 1)

Environment:
  REDIS_URL          Redis of the queues (default redis://127.0.0.1:6379)
  DATABASE_URL       Postgres server; unset: the one this curfew home was set up with (curfew
                     up remembers it in $CURFEW_HOME/config.json), else the embedded database
  CURFEW_ARTIFACTS   checkpoint folder (default $CURFEW_HOME/artifacts)
  CURFEW_BACKEND     force a TF.js backend: node-gpu, node, wasm or cpu`;

export const workerCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('worker', args, { concurrency: { type: 'string' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    if (positionals.length > 0)
      throw new UsageError(`curfew worker: unexpected argument "${positionals[0]}"`);
    const concurrency = intFlag('worker', 'concurrency', values.concurrency as string | undefined, 1);
    // Imported on demand: the worker loads TF.js, BullMQ and the database driver.
    const choice = chooseDatabase(ctx.env);
    if (choice.kind === 'embedded') refuseOwnedEmbedded(ctx.env);
    const database = choice.kind === 'server' ? { DATABASE_URL: choice.url } : {};
    const { readWorkerConfig, startWorker } = await import('@curfew/worker');
    const config = readWorkerConfig({ ...ctx.env.source, ...database });
    ctx.out(`curfew worker: database ${describeChoice(choice, ctx.env)}`);
    // Listen before starting, so a signal during start-up still shuts down cleanly.
    const stopped = untilSignal();
    const handle = await startWorker(
      { ...config, ...(concurrency ? { concurrency } : {}) },
      { log: ctx.out },
    );
    const signal = await stopped;
    ctx.out(`curfew worker: ${signal}, checkpointing the runs in progress`);
    await handle.close();
    return 0;
  },
};
