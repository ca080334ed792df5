import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file';

/** What a running `curfew up` tells the other commands: its queues, its database and its workers. */
export interface ClusterInfo {
  pid: number;
  /** `embedded`: `curfew up` owns the embedded database (its workers run in its process). */
  database: 'server' | 'embedded';
  redisUrl: string;
  queuePrefix: string;
  /** Worker processes (or in-process workers, with the embedded database) it keeps running. */
  workers: number;
  /** Pids of the worker processes alive now; a dead one leaves this list until it is restarted. */
  workerPids: number[];
  startedAt: string;
}

const fileOf = (home: string) => path.resolve(home, 'cluster.json');

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** The running local cluster, or null (no file, or its process has died). */
export function readCluster(home: string): ClusterInfo | null {
  try {
    const info = JSON.parse(readFileSync(fileOf(home), 'utf8')) as ClusterInfo;
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Written whole and renamed into place: a reader never sees half a file. */
export function writeCluster(home: string, info: ClusterInfo): void {
  writeFileAtomic(fileOf(home), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeCluster(home: string): void {
  rmSync(fileOf(home), { force: true });
}
