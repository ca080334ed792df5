import type { ExperimentSpec } from '@curfew/spec';
import { intFlag, parseCommandArgs } from '../args';
import { startCluster } from '../cluster/start-cluster';
import type { Command } from '../command';
import { loadValidSpec } from '../experiments/load-valid-spec';
import { untilSignal } from '../signals';
import { serveClusterDashboard } from './dashboard';

const USAGE = `Usage: curfew up [--workers N] [--submit SPEC]... [--no-dashboard]

Starts a local cluster until Ctrl-C: Redis (REDIS_URL, else a local redis-server, started if it
is installed and not running), the database (DATABASE_URL, else the server this curfew home
remembers, else the "curfew" database on the local PostgreSQL server (CURFEW_LOCAL_DATABASE),
started if needed, else the embedded one), the scheduler and N training workers. Other curfew
commands in other terminals find it (submit, status, watch, runs, cancel, report, sql).
It serves the web dashboard too and prints its address (see curfew dashboard --help).
A worker process that dies is reported and started again (its run resumes from its last
checkpoint). Ctrl-C checkpoints the runs in progress and stops everything within a few seconds
(a worker that takes longer than 10 s is killed); a second Ctrl-C kills the workers at once.

The database is remembered in $CURFEW_HOME/config.json, so every later command from this
folder (curfew status, sql, report, ...) reads the same one, also after the cluster has stopped.

Options:
  --workers N     training worker processes (default 2; 0: scheduler only, workers elsewhere)
  --submit SPEC   submit SPEC once the cluster is up (repeatable)
  --no-dashboard  do not serve the dashboard (a scheduler beside a dashboard of its own)
  --embedded      use the embedded database even when PostgreSQL is at hand (workers then run in
                  this process, and other commands cannot reach the database while it runs);
                  the curfew home forgets any server it remembered`;

export const upCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('up', args, {
      workers: { type: 'string', short: 'w' },
      submit: { type: 'string', multiple: true },
      embedded: { type: 'boolean' },
      'no-dashboard': { type: 'boolean' },
    });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const workers = intFlag('up', 'workers', values.workers as string | undefined, 0, 2);
    const specs: ExperimentSpec[] = [];
    for (const file of (values.submit as string[] | undefined) ?? [])
      specs.push(await loadValidSpec(file, ctx, 'up'));
    const stopped = untilSignal();
    const cluster = await startCluster({
      env: ctx.env,
      workers,
      log: ctx.out,
      embedded: values.embedded === true,
    });
    const dashboard = values['no-dashboard']
      ? null
      : await serveClusterDashboard(cluster, ctx).catch(async (error: unknown) => {
          await cluster.close();
          throw error;
        });
    try {
      for (const spec of specs) {
        const { id, runs } = await cluster.submit(spec);
        ctx.out(`submitted ${id}: ${runs} runs`);
      }
      ctx.out('curfew up: running; Ctrl-C stops the cluster');
      const signal = await stopped;
      ctx.out(
        `curfew up: ${signal}, checkpointing runs in progress and stopping (Ctrl-C again: kill the workers now)`,
      );
      process.once('SIGINT', () => cluster.kill());
    } finally {
      await dashboard?.close();
      await cluster.close();
    }
    return 0;
  },
};
