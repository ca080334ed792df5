import { readWorkerConfig } from './env';
import { startWorker } from './start-worker';

/** `node apps/worker/bin/worker.mjs`: one worker process, stopped cleanly by SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const handle = await startWorker(readWorkerConfig());
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`curfew worker: ${signal}, checkpointing running runs`);
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`curfew worker: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && error.name !== 'Error' ? error.message : error);
  process.exit(1);
});
