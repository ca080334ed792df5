import type { EvalPoint, PeerRun } from '@curfew/policies';
import { type Eval, FINAL_RUN_STATUSES, peerRuns, type StoreDatabase } from '@curfew/store';

/** The monitored value of a stored eval (EM, or a loss-like metric). */
function monitoredValue(row: Eval, monitor: string): number | null {
  switch (monitor) {
    case 'em':
      return row.em;
    case 'loss':
      return row.valLoss;
    case 'perplexity':
      return row.perplexity;
    case 'train_loss':
      return row.trainLoss;
    default:
      return row.metrics?.[monitor] ?? null;
  }
}

/**
 * The experiment's other runs as cross-run policies see them: their evals written so far, up to
 * this run's tokens (as replay's token clock), so two workers reporting at once decide from the
 * same peer state whichever writes first.
 */
export async function loadPeers(
  db: StoreDatabase,
  experimentId: string,
  runId: string,
  monitor: string,
  /** This run's tokens: a peer's evals past them had not happened on a shared token clock. */
  upToTokens: number,
): Promise<PeerRun[]> {
  const records = await peerRuns(db, experimentId, runId);
  return records.map((record) => {
    const evals: EvalPoint[] = [];
    for (const row of record.evals) {
      const value = monitoredValue(row, monitor);
      if (value !== null && row.tokens <= upToTokens)
        evals.push({ step: row.step, tokens: row.tokens, value });
    }
    return {
      id: record.runId,
      budgetTokens: record.budgetTokens ?? 0,
      evals,
      features: record.config,
      finished: (FINAL_RUN_STATUSES as readonly string[]).includes(record.status),
    };
  });
}
