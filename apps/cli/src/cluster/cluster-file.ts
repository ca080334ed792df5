import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a running `curfew up` tells the other commands: where its database and queues are. */
export interface ClusterInfo {
  pid: number;
  /** The Postgres server of the cluster; null when `curfew up` owns the embedded database. */
  databaseUrl: string | null;
  redisUrl: string;
  queuePrefix: string;
  workers: number;
  startedAt: string;
}

const fileOf = (home: string) => path.resolve(home, 'cluster.json');

function alive(pid: number): boolean {
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

export function writeCluster(home: string, info: ClusterInfo): void {
  mkdirSync(path.resolve(home), { recursive: true });
  writeFileSync(fileOf(home), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeCluster(home: string): void {
  rmSync(fileOf(home), { force: true });
}
