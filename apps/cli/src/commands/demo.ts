import type { ExperimentSpec } from '@curfew/spec';
import type { StoreDatabase } from '@curfew/store';
import { intFlag, parseCommandArgs } from '../args';
import type { Cluster } from '../cluster/start-cluster';
import { startCluster } from '../cluster/start-cluster';
import type { Command, CommandContext } from '../command';
import { finishedExperimentOf, historyRunsOfFamily } from '../demo/demo-history';
import { comparison, predictionsQuery } from '../demo/demo-report';
import { type DemoSpecs, loadDemoSpecs, QUICK_FACTOR } from '../demo/demo-specs';
import { waitForExperiments } from '../experiments/progress';
import { formatRows } from '../output/table';

const USAGE = `Usage: curfew demo [--workers N] [--quick]

The end-to-end demo (npm run demo): starts a local cluster (curfew up), trains two history
experiments to the full budget (or reuses them, when an earlier demo on this database trained
them), then a task new to that history with policy auto next to the same runs trained to the full
budget, and prints tokens saved and EM against the full budget, the meta-learner's predictions,
and commands to look closer. Specs: examples/demo/.

Options:
  --workers N   training worker processes (default 2)
  --quick       every budget and eval interval ${QUICK_FACTOR}× smaller: the demo's path in about half
                a minute, with EMs of runs stopped long before they learn (a smoke test)`;

/** History experiments: reused when an earlier demo trained the same specs, else trained now. */
async function history(ctx: CommandContext, cluster: Cluster, specs: readonly ExperimentSpec[]) {
  const ids: string[] = [];
  const trained: string[] = [];
  for (const spec of specs) {
    const earlier = await finishedExperimentOf(cluster.store.db, spec);
    if (earlier) ids.push(earlier);
    else {
      const { id } = await cluster.submit(spec);
      ids.push(id);
      trained.push(id);
    }
  }
  if (trained.length < ids.length)
    ctx.out(`reusing ${ids.filter((id) => !trained.includes(id)).join(' and ')}, trained by an earlier demo`);
  if (trained.length > 0) await waitForExperiments(cluster.store.db, trained, { out: ctx.out, live: null });
  return ids;
}

/** The heading of step 2, true on every run: whether the history has seen this task family yet. */
async function newTaskHeading(db: StoreDatabase, family: string): Promise<string> {
  const seen = await historyRunsOfFamily(db, family);
  const heading = `policy auto, next to the same runs at the full budget ==`;
  if (seen === 0) return `== 2/2: a task the history has never seen (${family}), ${heading}`;
  return [
    `== 2/2: ${family} again, ${heading}`,
    `The history already holds ${seen} runs of ${family} from earlier demos: the stopping policy still judges`,
    'it leave-task-out (with a model that never saw it), but the predictions below may draw on them.',
    'For the first-time demo on a fresh database: CURFEW_HOME=.curfew-fresh CURFEW_LOCAL_DATABASE=curfew_fresh npm run demo',
  ].join('\n');
}

/** Steps 1 and 2 and the comparison; returns the follow-up commands to print. */
async function runDemo(ctx: CommandContext, cluster: Cluster, specs: DemoSpecs): Promise<string[]> {
  const db = cluster.store.db;
  ctx.out('\n== 1/2: history: two tasks trained to their full budget ==');
  await history(ctx, cluster, specs.history);
  ctx.out(`\n${await newTaskHeading(db, specs.auto.task.family)}`);
  const autoId = (await cluster.submit(specs.auto)).id;
  const fullId = (await cluster.submit(specs.full)).id;
  await waitForExperiments(db, [autoId, fullId], { out: ctx.out, live: null });
  ctx.out(`\n== ${autoId} against ${fullId} ==`);
  await comparison(ctx, db, autoId, fullId);
  ctx.out(
    `\n== the meta-learner's predictions for ${fullId}, made before its runs started, next to what happened ==`,
  );
  const query = predictionsQuery(fullId);
  const { fields, rows } = await cluster.store.readOnlyQuery(query);
  ctx.out(
    rows.length > 0
      ? formatRows('table', fields, rows)
      : 'no predictions (the meta-learner had no history yet)',
  );
  return [
    `npx curfew sql "${query}"`,
    `npx curfew sql "select run_id, status, stop_reason, tokens_used, deployed_em from run_summary where experiment = '${autoId}'"`,
    `npx curfew report ${autoId}`,
    'npx curfew status',
  ];
}

export const demoCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('demo', args, {
      workers: { type: 'string', short: 'w' },
      quick: { type: 'boolean' },
    });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const workers = intFlag('demo', 'workers', values.workers as string | undefined, 1, 2);
    const specs = await loadDemoSpecs(ctx, { quick: values.quick === true });
    const started = Date.now();
    const cluster = await startCluster({ env: ctx.env, workers, log: ctx.out, command: 'demo' });
    let followUps: string[];
    try {
      followUps = await runDemo(ctx, cluster, specs);
    } finally {
      await cluster.close();
    }
    ctx.out(
      `\ndemo took ${Math.round((Date.now() - started) / 1000)} s; the cluster has stopped. Look closer (these read its database):`,
    );
    for (const line of followUps) ctx.out(`  ${line}`);
    return 0;
  },
};
