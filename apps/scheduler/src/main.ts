import { readSchedulerConfig } from './env';
import { startSchedulerProcess } from './start-scheduler-process';

/** `node apps/scheduler/bin/scheduler.mjs`: one scheduler process, stopped by SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const handle = await startSchedulerProcess(readSchedulerConfig(), log);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`curfew scheduler: ${signal}, stopping`);
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`curfew scheduler: ${error instanceof Error ? error.message : String(error)}`);
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
