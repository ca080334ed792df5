import { createQueue, QUEUE_NAMES, redactRedisUrl } from '@curfew/queue';
import { listExperiments, runsOf } from '@curfew/store';
import { parseCommandArgs } from '../args';
import { alive, type ClusterInfo, readCluster } from '../cluster/cluster-file';
import { commandRedis, openCliStore, queueSettings } from '../cluster/connect';
import { chooseDatabase, describeChoice } from '../cluster/database-choice';
import type { Command } from '../command';
import { formatTable } from '../output/table';

const USAGE = `Usage: curfew status

Says which database this folder's commands use (DATABASE_URL, else the one curfew up set this
curfew home up with, else the embedded one), then lists experiments (newest first) with their
runs, tokens used against budget, tokens saved and best EM, then the runs queue's job counts and
the local cluster with its live workers, when one is running.`;

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

export const statusCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('status', args, {});
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const choice = chooseDatabase(ctx.env);
    ctx.out(`database: ${describeChoice(choice, ctx.env)}`);
    const store = await openCliStore(ctx.env, choice);
    try {
      const rows = [];
      for (const e of await listExperiments(store.db)) {
        const runs = await runsOf(store.db, e.id);
        const ended = runs.filter((r) => !['queued', 'running'].includes(r.status)).length;
        const used = runs.reduce((s, r) => s + r.tokensUsed, 0);
        const budget = runs.reduce((s, r) => s + (r.budgetTokens ?? 0), 0);
        rows.push({
          experiment: e.id,
          status: e.status,
          policy: e.policy,
          runs: `${ended}/${runs.length}`,
          running: runs.filter((r) => r.status === 'running').length,
          tokens: used,
          saved: pct(budget > 0 && ended === runs.length ? 1 - used / budget : null),
          best_em: e.bestEm?.toFixed(3) ?? '-',
        });
      }
      ctx.out(
        rows.length > 0
          ? formatTable(Object.keys(rows[0] as object), rows)
          : 'no experiments yet (curfew submit SPEC)',
      );
    } finally {
      await store.close();
    }
    ctx.out(await queueLine(ctx.env));
    const cluster = readCluster(ctx.env.CURFEW_HOME);
    if (cluster) ctx.out(clusterLine(cluster));
    return 0;
  },
};

/** One line of runs-queue counts, or why there is none. */
export async function queueLine(env: Parameters<typeof queueSettings>[0]): Promise<string> {
  const { redisUrl, queuePrefix } = queueSettings(env);
  const redis = commandRedis(redisUrl);
  const queue = createQueue(QUEUE_NAMES.runs, redis, queuePrefix);
  try {
    await redis.ping();
    const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed');
    return `runs queue: ${(c.waiting ?? 0) + (c.prioritized ?? 0)} waiting, ${c.active ?? 0} active, ${c.delayed ?? 0} delayed, ${c.completed ?? 0} completed, ${c.failed ?? 0} failed`;
  } catch {
    return `runs queue: Redis at ${redactRedisUrl(redisUrl)} is unreachable`;
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** The local cluster and its workers: only the worker processes alive now count. */
function clusterLine(cluster: ClusterInfo): string {
  const since = `since ${cluster.startedAt}`;
  if (cluster.database === 'embedded')
    return `local cluster: pid ${cluster.pid}, ${cluster.workers} in-process workers, ${since}`;
  const live = (cluster.workerPids ?? []).filter(alive).length;
  return `local cluster: pid ${cluster.pid}, ${live} of ${cluster.workers} workers running, ${since}`;
}
