import { getExperiment, type RunProgress, runProgress, type StoreDatabase } from '@curfew/store';
import { fitLine, type LiveRegion } from '../output/live-region';

const ENDED = new Set(['done', 'failed', 'cancelled']);
/** Width of a plain (logged) progress line's bar; a live one gets what the terminal leaves. */
const LOG_BAR_WIDTH = 20;

function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** 250000 → 250k, 1250000 → 1.25M: token counts that fit a narrow terminal. */
export function shortTokens(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/**
 * One line per run: tokens against the budget as a bar, EM, learning rate and status. With a
 * `width` (a terminal's), tokens are written short, the bar shrinks (down to 5), then the id is
 * cut, and on a very narrow terminal the end of the line, so that it fits.
 */
export function progressLine(run: RunProgress, width?: number): string {
  const budget = run.budgetTokens ?? 0;
  const tokens = Math.max(run.tokensUsed, run.lastEval?.tokens ?? 0);
  const share = budget > 0 ? tokens / budget : 0;
  const reason = run.stopReason && run.status !== 'running' ? ` (${run.stopReason})` : '';
  const em = fixed(
    run.status === 'running' || run.status === 'queued' ? run.lastEval?.em : run.deployedEm,
    3,
  );
  const rest = `EM ${em}  lr ${run.lastEval?.lr?.toExponential(1) ?? '-'}  ${run.status}${reason}`;
  if (width === undefined)
    return `${run.id.padEnd(24)} ${bar(share, LOG_BAR_WIDTH)} ${tokens}/${budget} tokens  ${rest}`;
  const tail = ` ${shortTokens(tokens)}/${shortTokens(budget)}  ${rest}`;
  const idWidth = Math.min(24, Math.max(run.id.length, 8));
  const barWidth = Math.max(5, Math.min(LOG_BAR_WIDTH, width - idWidth - 3 - tail.length));
  const room = Math.max(1, width - barWidth - 3 - tail.length);
  const id = run.id.length <= room ? run.id.padEnd(Math.min(idWidth, room)) : `${run.id.slice(0, room - 1)}…`;
  return fitLine(`${id} ${bar(share, barWidth)}${tail}`, width);
}

export interface WaitOptions {
  out: (text: string) => void;
  /** Redraw in place (a terminal); null: print changed lines (a log, a pipe, NO_COLOR). */
  live: LiveRegion | null;
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
  let lastLogMs = Date.now();
  const { live } = options;
  for (;;) {
    const runs: RunProgress[] = [];
    let ended = 0;
    for (const id of ids) {
      if (ENDED.has((await getExperiment(db, id)).status)) ended += 1;
      runs.push(...(await runProgress(db, id)));
    }
    if (live) {
      live.render(runs.map((run) => progressLine(run, live.columns - 1)));
    } else {
      const heartbeat = Date.now() - lastLogMs >= LOG_EVERY_MS;
      if (heartbeat) lastLogMs = Date.now();
      for (const run of runs) {
        const changed = statusShown.get(run.id) !== run.status;
        if (changed || (heartbeat && run.status === 'running')) options.out(progressLine(run));
        statusShown.set(run.id, run.status);
      }
    }
    if (ended === ids.length) {
      live?.done();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}
