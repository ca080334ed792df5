/**
 * Resolves with the first SIGINT or SIGTERM. Call it before starting anything long, so a signal
 * during start-up still shuts down cleanly.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
