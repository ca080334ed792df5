import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { StoreConnectionError } from './errors.js';

/** Whether a process with this pid is running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `${dataDir}.lock` for this process: PGlite is one connection, and two processes opening
 * the same folder corrupt it (the advisory lock of migrate() only works within one instance).
 * A lock left by a process that has died is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new StoreConnectionError(
          `the embedded database at ${dataDir} is in use by process ${owner} (one process at a time): ` +
            'stop it, or set DATABASE_URL to share a PostgreSQL server',
        );
      }
      unlinkSync(lockFile); // stale: its process is gone
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        unlinkSync(lockFile);
      } catch {
        // already gone
      }
    };
    process.on('exit', release);
    return release;
  }
  throw new StoreConnectionError(
    `cannot take the lock ${lockFile}: remove it if no curfew process is running`,
  );
}
