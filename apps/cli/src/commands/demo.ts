import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runsOf } from '@curfew/store';
import { intFlag, parseCommandArgs } from '../args';
import { startCluster } from '../cluster/start-cluster';
import type { Command, CommandContext } from '../command';
import { loadValidSpec } from '../experiments/load-valid-spec';
import { waitForExperiments } from '../experiments/progress';
import { formatRows, formatTable } from '../output/table';

const DEMO_SPECS = fileURLToPath(new URL('../../../../examples/demo/', import.meta.url));

const USAGE = `Usage: curfew demo [--workers N]

The end-to-end demo (npm run demo): starts a local cluster (curfew up), runs two history
experiments to the full budget, then a new task with policy auto next to the same runs trained to
the full budget, and prints tokens saved and EM against the full budget. Specs: examples/demo/.`;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Predictions beside outcomes, as a user would ask `curfew sql` for them. */
function predictionsQuery(experimentId: string): string {
  return (
    'select r.id as run_id, p.meta_model_version as model, round(p.predicted_peak_tokens) as predicted_peak_tokens, ' +
    'round(p.low) as low, round(p.high) as high, r.best_tokens as actual_peak_tokens, ' +
    'round(p.predicted_final_em::numeric, 3) as predicted_em, round(r.deployed_em::numeric, 3) as actual_em ' +
    `from runs r join predictions p on p.run_id = r.id where r.experiment_id = '${experimentId}' order by r.trial`
  );
}

async function comparison(
  ctx: CommandContext,
  db: Parameters<typeof runsOf>[0],
  autoId: string,
  fullId: string,
) {
  const auto = await runsOf(db, autoId);
  const full = new Map((await runsOf(db, fullId)).map((r) => [r.trial, r]));
  const rows = auto.map((r) => {
    const reference = full.get(r.trial);
    const emFull = reference?.deployedEm ?? null;
    return {
      trial: r.trial,
      lr: String((r.config as { lr?: unknown }).lr ?? '-'),
      stop_reason: r.stopReason ?? '-',
      tokens: r.tokensUsed,
      budget: r.budgetTokens ?? 0,
      saved: pct(r.budgetTokens ? 1 - r.tokensUsed / r.budgetTokens : 0),
      em_auto: r.deployedEm?.toFixed(3) ?? '-',
      em_full_budget: emFull?.toFixed(3) ?? '-',
      em_loss: emFull !== null && r.deployedEm !== null ? (emFull - r.deployedEm).toFixed(3) : '-',
    };
  });
  ctx.out(formatTable(Object.keys(rows[0] ?? { trial: '' }), rows));
  const used = auto.reduce((s, r) => s + r.tokensUsed, 0);
  const budget = auto.reduce((s, r) => s + (r.budgetTokens ?? 0), 0);
  const bestAuto = Math.max(...auto.map((r) => r.deployedEm ?? 0));
  const bestFull = Math.max(...[...full.values()].map((r) => r.deployedEm ?? 0));
  ctx.out(
    `auto used ${used} of ${budget} tokens (${pct(1 - used / budget)} saved); ` +
      `best EM ${bestAuto.toFixed(3)} against ${bestFull.toFixed(3)} at the full budget (regret ${(bestFull - bestAuto).toFixed(3)})`,
  );
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the end-to-end demo on a local cluster',
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('demo', args, { workers: { type: 'string', short: 'w' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const workers = intFlag('demo', 'workers', values.workers as string | undefined, 1, 2);
    const spec = (name: string) => loadValidSpec(path.join(DEMO_SPECS, name), ctx, 'demo');
    const [historyA, historyB, auto, full] = await Promise.all(
      ['history-reverse.yaml', 'history-sort.yaml', 'new-task-auto.yaml', 'new-task-full.yaml'].map(spec),
    );
    const started = Date.now();
    const cluster = await startCluster({ env: ctx.env, workers, log: ctx.out });
    try {
      ctx.out('\n== 1/2: history: two tasks trained to their full budget ==');
      const history = [await cluster.submit(historyA!), await cluster.submit(historyB!)].map((s) => s.id);
      await waitForExperiments(cluster.store.db, history, { out: ctx.out, redraw: false });
      ctx.out('\n== 2/2: a new task (addition): policy auto, next to the same runs at the full budget ==');
      const autoId = (await cluster.submit(auto!)).id;
      const fullId = (await cluster.submit(full!)).id;
      await waitForExperiments(cluster.store.db, [autoId, fullId], { out: ctx.out, redraw: false });
      ctx.out(`\n== ${autoId} against ${fullId} ==`);
      await comparison(ctx, cluster.store.db, autoId, fullId);
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
      ctx.out(`(npx curfew sql "${query}")`);
      ctx.out(`\ndemo took ${Math.round((Date.now() - started) / 1000)} s. Look closer with SQL, e.g.:`);
      ctx.out(
        `  npx curfew sql "select run_id, status, stop_reason, tokens_used, deployed_em from run_summary where experiment = '${autoId}'"`,
      );
      ctx.out(`  npx curfew report ${autoId}`);
    } finally {
      await cluster.close();
    }
    return 0;
  },
};
