import type { WorkerHandle } from '@curfew/worker';

/**
 * Closes a worker once its Redis connections have finished connecting (or after `timeoutMs`, when
 * Redis is unreachable). BullMQ crashes the process when a Worker is closed while its blocking
 * connection is still being set up: RedisConnection.close() removes the connection's error
 * listeners, then the pending initialisation rejects with "Connection is closed." and is emitted
 * as an 'error' nobody listens to. A SIGTERM right after start-up hit that window (wider on a
 * loaded machine) and made `curfew worker` exit 1.
 */
export async function closeWorkerWhenReady(handle: WorkerHandle, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    handle.worker.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  await handle.close();
}
