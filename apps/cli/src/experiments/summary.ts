import { getExperiment, runsOf, type StoreDatabase } from '@curfew/store';
import { formatTable } from '../output/table';

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const em = (x: number | null) => (x === null ? '-' : x.toFixed(3));

/** An experiment's closing summary: its runs, then its totals. */
export async function experimentSummary(db: StoreDatabase, id: string): Promise<string> {
  const experiment = await getExperiment(db, id);
  const runs = await runsOf(db, id);
  const rows = runs.map((r) => ({
    run: r.id,
    status: r.status,
    reason: r.stopReason ?? '-',
    tokens: r.tokensUsed,
    budget: r.budgetTokens ?? '-',
    saved: pct(r.budgetTokens ? 1 - r.tokensUsed / r.budgetTokens : null),
    best_step: r.bestStep ?? '-',
    deployed_em: em(r.deployedEm),
  }));
  const used = runs.reduce((s, r) => s + r.tokensUsed, 0);
  const budget = runs.reduce((s, r) => s + (r.budgetTokens ?? 0), 0);
  const best = runs.reduce<(typeof runs)[number] | null>(
    (b, r) => (r.deployedEm !== null && (b === null || r.deployedEm > (b.deployedEm ?? -1)) ? r : b),
    null,
  );
  return [
    formatTable(Object.keys(rows[0] ?? { run: '' }), rows),
    `${id}: ${experiment.status}; ${used} of ${budget} tokens (${pct(budget > 0 ? 1 - used / budget : null)} saved); best EM ${em(best?.deployedEm ?? null)} (${best?.id ?? '-'})`,
  ].join('\n');
}
