// Summaries and tables for bench/replay-policies.ts: per policy and tolerance, the mean over
// replays (run orders × worker counts) beside the worst replay, the worst group, and the share of
// groups (tasks, in run scope) over the tolerance and over twice it.
import type { Score } from '@curfew/policies';

export interface Summary {
  policy: string;
  tolerance: number;
  /** One score per replay (condition). */
  scores: Score[];
  /** Settings chosen inside the folds, when the policy has knobs (for the notes). */
  chosen?: string[];
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const max = (xs: readonly number[]) => Math.max(...xs);
const min = (xs: readonly number[]) => Math.min(...xs);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(4);

/** The worst group (largest regret) over every replay, with its name. */
function worstGroup(scores: readonly Score[]): { group: string; regret: number } {
  let worst = { group: '-', regret: 0 };
  for (const s of scores) for (const g of s.groups) if (g.regret > worst.regret) worst = g;
  return worst;
}

function worstTask(score: Score): { task: string; loss: number } {
  let worst = { task: '-', loss: 0 };
  for (const t of score.tasks) if (t.meanLoss > worst.loss) worst = { task: t.task, loss: t.meanLoss };
  return worst;
}

const shareOver = (values: readonly number[], limit: number) =>
  values.length === 0 ? 0 : values.filter((v) => v > limit * (1 + 1e-9)).length / values.length;

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Experiment scope: one row per policy. */
export function experimentTable(summaries: readonly Summary[]): string {
  const rows = summaries.map(({ policy, scores, tolerance }) => {
    const saved = scores.map((s) => s.groupSaved);
    const regret = scores.map((s) => s.groupRegret);
    const over = scores.map((s) =>
      shareOver(
        s.groups.map((g) => g.regret),
        tolerance,
      ),
    );
    const over2 = scores.map((s) =>
      shareOver(
        s.groups.map((g) => g.regret),
        2 * tolerance,
      ),
    );
    const worst = worstGroup(scores);
    return [
      policy,
      `${pct(mean(saved))} (${pct(min(saved))})`,
      `${num(mean(regret))} (${num(max(regret))})`,
      `${num(worst.regret)} ${worst.group}`,
      `${pct(mean(over))} (${pct(max(over))})`,
      `${pct(mean(over2))} (${pct(max(over2))})`,
    ];
  });
  return table(
    [
      'policy',
      'saved: mean (min)',
      'regret: mean (max)',
      'worst group',
      '>tol: mean (max)',
      '>2×tol: mean (max)',
    ],
    rows,
  );
}

/** Run scope: one row per policy, with tokens saved as a share of the oracle's. */
export function runTable(summaries: readonly Summary[], oracleSaved: number): string {
  const rows = summaries.map(({ policy, scores, tolerance }) => {
    const s = scores[0] as Score;
    const worst = worstTask(s);
    const losses = s.tasks.map((t) => t.meanLoss);
    return [
      policy,
      pct(s.runSaved),
      `${((s.runSaved / oracleSaved) * 100).toFixed(0)}%`,
      num(s.runMeanLoss),
      `${num(worst.loss)} ${worst.task}`,
      pct(shareOver(losses, tolerance)),
      pct(shareOver(losses, 2 * tolerance)),
    ];
  });
  return table(['policy', 'saved', 'of oracle', 'mean loss', 'worst task', 'tasks >tol', '>2×tol'], rows);
}

/** Experiment scope by worker count: saved and regret, mean over run orders. */
export function workersTable(
  rows: readonly { policy: string; byWorkers: Map<number, Score[]> }[],
  workers: readonly number[],
): string {
  return table(
    ['policy', ...workers.map((w) => `${w} worker${w === 1 ? '' : 's'}: saved / regret (max)`)],
    rows.map(({ policy, byWorkers }) => [
      policy,
      ...workers.map((w) => {
        const scores = byWorkers.get(w) ?? [];
        const regret = scores.map((s) => s.groupRegret);
        return `${pct(mean(scores.map((s) => s.groupSaved)))} / ${num(mean(regret))} (${num(max(regret))})`;
      }),
    ]),
  );
}

/** The figures the targets are about, for the closing lines. */
export function targetLine(
  auto: Summary,
  autoRun: Summary,
  oracleSaved: number,
): { experiment: string; run: string; met: boolean } {
  const t = auto.tolerance;
  const regret = auto.scores.map((s) => s.groupRegret);
  const over2 = auto.scores.map((s) =>
    shareOver(
      s.groups.map((g) => g.regret),
      2 * t,
    ),
  );
  const saved = mean(auto.scores.map((s) => s.groupSaved));
  const run = autoRun.scores[0] as Score;
  const expMet = max(regret) <= t && max(over2) <= 0.1 && saved >= 0.9;
  const runMet = run.runMeanLoss <= t && run.runSaved >= 0.75 * oracleSaved;
  return {
    experiment:
      `tolerance ${t}: experiment scope worst replay's mean regret ${num(max(regret))} (≤ ${t}: ${max(regret) <= t ? 'yes' : 'no'}), ` +
      `groups over 2× at most ${pct(max(over2))} (≤ 10%: ${max(over2) <= 0.1 ? 'yes' : 'no'}), ` +
      `saved ${pct(saved)} (≥ 90%: ${saved >= 0.9 ? 'yes' : 'no'})`,
    run:
      `tolerance ${t}: run scope mean loss ${num(run.runMeanLoss)} (≤ ${t}: ${run.runMeanLoss <= t ? 'yes' : 'no'}), ` +
      `saved ${pct(run.runSaved)} = ${((run.runSaved / oracleSaved) * 100).toFixed(0)}% of the oracle's (≥ 75%: ${run.runSaved >= 0.75 * oracleSaved ? 'yes' : 'no'})`,
    met: expMet && runMet,
  };
}
