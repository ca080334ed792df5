// One worker process of bench/orchestration.ts (argv: curfew | bare, the number of evals):
// - curfew: curfew's worker (startWorker, its env) driving the report-only trainer;
// - bare: a plain BullMQ worker on the same queue name whose processor makes the Redis round
//   trips curfew's makes for a run (one progress update per eval), and nothing else.
// Prints `ready` once it listens; stops cleanly on SIGTERM.
import { createRedis, JOB_CATALOG } from '@curfew/queue';
import { readWorkerConfig, startWorker } from '@curfew/worker';
import { Worker } from 'bullmq';
import { reportOnlyTrainer } from './report-only-trainer';

const [mode, evalsArg] = process.argv.slice(2);
const evals = Number(evalsArg);

async function bareWorker(): Promise<() => Promise<void>> {
  const config = readWorkerConfig();
  const connection = createRedis(config.redisUrl, { blocking: true });
  const worker = new Worker(
    JOB_CATALOG['train-run'].queue,
    async (job) => {
      for (let k = 1; k <= evals; k++) await job.updateProgress({ step: k, tokens: k * 100 });
      return { runId: job.data.runId, status: 'completed' };
    },
    { connection, prefix: config.queuePrefix, concurrency: config.concurrency },
  );
  worker.on('error', (error) => console.error(`bare worker: ${error.message}`));
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await connection.quit();
  };
}

async function curfewWorker(): Promise<() => Promise<void>> {
  const handle = await startWorker(readWorkerConfig(), {
    trainer: reportOnlyTrainer(evals),
    log: (line) => {
      if (/failed|unreachable|error/i.test(line)) console.error(line);
    },
  });
  await handle.worker.waitUntilReady();
  return () => handle.close();
}

if ((mode !== 'curfew' && mode !== 'bare') || !(evals > 0)) {
  console.error(`orchestration-worker: usage: curfew|bare EVALS, got ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}
const close = await (mode === 'curfew' ? curfewWorker() : bareWorker());
process.on('SIGTERM', () => {
  close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
console.log('ready');
