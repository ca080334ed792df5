import { getExperiment, type RunProgress, runProgress, type StoreDatabase } from '@curfew/store';

const BAR_WIDTH = 20;
const ENDED = new Set(['done', 'failed', 'cancelled']);

function bar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round(fraction * BAR_WIDTH)));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/** One line per run: tokens against the budget as a bar, EM, learning rate and status. */
export function progressLine(run: RunProgress): string {
  const budget = run.budgetTokens ?? 0;
  const tokens = Math.max(run.tokensUsed, run.lastEval?.tokens ?? 0);
  const share = budget > 0 ? tokens / budget : 0;
  const reason = run.stopReason && run.status !== 'running' ? ` (${run.stopReason})` : '';
  return (
    `${run.id.padEnd(24)} ${bar(share)} ${String(tokens).padStart(9)}/${budget} tokens  ` +
    `EM ${fixed(run.status === 'running' || run.status === 'queued' ? run.lastEval?.em : run.deployedEm, 3)}  lr ${run.lastEval?.lr?.toExponential(1) ?? '-'}  ${run.status}${reason}`
  );
}

export interface WaitOptions {
  out: (text: string) => void;
  /** Redraw in place (a terminal) instead of printing changed lines (a log). */
  redraw: boolean;
  pollMs?: number;
}

/** Seconds between progress lines of running runs when not redrawing (logs, CI). */
const LOG_EVERY_MS = 15_000;

/** Shows progress until every experiment has ended. */
export async function waitForExperiments(
  db: StoreDatabase,
  ids: readonly string[],
  options: WaitOptions,
): Promise<void> {
  const statusShown = new Map<string, string>();
  let drawn = 0;
  let lastLogMs = Date.now();
  for (;;) {
    const runs: RunProgress[] = [];
    let ended = 0;
    for (const id of ids) {
      if (ENDED.has((await getExperiment(db, id)).status)) ended += 1;
      runs.push(...(await runProgress(db, id)));
    }
    if (options.redraw) {
      options.out(`${drawn > 0 ? `\u001b[${drawn}A\u001b[J` : ''}${runs.map(progressLine).join('\n')}`);
      drawn = runs.length;
    } else {
      const heartbeat = Date.now() - lastLogMs >= LOG_EVERY_MS;
      if (heartbeat) lastLogMs = Date.now();
      for (const run of runs) {
        const changed = statusShown.get(run.id) !== run.status;
        if (changed || (heartbeat && run.status === 'running')) options.out(progressLine(run));
        statusShown.set(run.id, run.status);
      }
    }
    if (ended === ids.length) return;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}
