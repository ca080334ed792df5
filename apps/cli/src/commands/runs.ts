import { taskKey } from '@curfew/spec';
import { evals, listExperiments, runsOf } from '@curfew/store';
import { asc, inArray } from 'drizzle-orm';
import { oneOf, parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import { formatRows, OUTPUT_FORMATS } from '../output/table';

const USAGE = `Usage: curfew runs [--experiment ID] [--format table|json|csv] [--export curves]

Lists runs (of one experiment, or of every experiment) with status, stop reason, tokens, best
step and deployed EM. --export curves prints them instead as curve files (JSON Lines, one run
per line, the format curfew replay and curfew predict read): group = experiment, task = the
experiment's task family and params, metric em.`;

function taskName(spec: unknown): string {
  return taskKey((spec as { task?: { family?: unknown; params?: unknown } }).task);
}

export const runsCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parseCommandArgs('runs', args, {
      experiment: { type: 'string', short: 'e' },
      format: { type: 'string', short: 'f' },
      export: { type: 'string' },
    });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const format = oneOf('runs', 'format', values.format as string | undefined, OUTPUT_FORMATS, 'table');
    const exporting = oneOf(
      'runs',
      'export',
      values.export as string | undefined,
      ['curves', 'none'] as const,
      'none',
    );
    const store = await openCliStore(ctx.env);
    try {
      const experiments = (await listExperiments(store.db, 10_000))
        .filter((e) => !values.experiment || e.id === values.experiment)
        .reverse();
      const all = [];
      for (const e of experiments)
        for (const r of await runsOf(store.db, e.id)) all.push({ experiment: e, run: r });
      if (exporting === 'curves') {
        const rows =
          all.length === 0
            ? []
            : await store.db
                .select()
                .from(evals)
                .where(
                  inArray(
                    evals.runId,
                    all.map((a) => a.run.id),
                  ),
                )
                .orderBy(asc(evals.runId), asc(evals.step));
        for (const { experiment, run } of all) {
          const points = rows
            .filter((e) => e.runId === run.id && e.em !== null)
            .map((e) => ({ step: e.step, tokens: e.tokens, value: e.em }));
          if (points.length === 0) continue;
          const features = { family: experiment.taskFamily, ...run.config };
          ctx.out(
            JSON.stringify({
              id: run.id,
              task: taskName(experiment.spec),
              group: experiment.id,
              metric: 'em',
              mode: 'max',
              features,
              budget_tokens: run.budgetTokens ?? points.at(-1)?.tokens,
              evals: points,
            }),
          );
        }
        return 0;
      }
      const table = all.map(({ run }) => ({
        run: run.id,
        status: run.status,
        stop_reason: run.stopReason ?? '',
        tokens_used: run.tokensUsed,
        budget_tokens: run.budgetTokens,
        best_step: run.bestStep,
        deployed_em: run.deployedEm,
        backend: run.backend ?? '',
      }));
      ctx.out(
        table.length > 0 || format !== 'table'
          ? formatRows(
              format,
              [
                'run',
                'status',
                'stop_reason',
                'tokens_used',
                'budget_tokens',
                'best_step',
                'deployed_em',
                'backend',
              ],
              table,
            )
          : 'no runs',
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
