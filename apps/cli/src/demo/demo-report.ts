import { runsOf, type StoreDatabase } from '@curfew/store';
import type { CommandContext } from '../command';
import { formatTable } from '../output/table';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The meta-learner's predictions beside outcomes, as a user would ask `curfew sql` for them. */
export function predictionsQuery(experimentId: string): string {
  return (
    'select r.id as run_id, p.meta_model_version as model, round(p.predicted_peak_tokens) as predicted_peak_tokens, ' +
    'round(p.low) as low, round(p.high) as high, r.best_tokens as actual_peak_tokens, ' +
    'round(p.predicted_final_em::numeric, 3) as predicted_em, round(r.deployed_em::numeric, 3) as actual_em ' +
    `from runs r join predictions p on p.run_id = r.id where r.experiment_id = '${experimentId}' order by r.trial`
  );
}

export async function comparison(ctx: CommandContext, db: StoreDatabase, autoId: string, fullId: string) {
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
