import type { RunOutcome, Score } from '@curfew/policies';

const num = (v: number, digits: number) => v.toFixed(digits);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** Per task and overall, then per group: the definitions of ../shared/curves/stopeval.py. */
export function formatScore(title: string, score: Score, tolerance: number): string {
  const over = `> ${tolerance}`;
  const taskRows = score.tasks.map((t) => [
    t.task,
    String(t.runs),
    num(t.saved, 3),
    num(t.meanLoss, 4),
    num(t.p95Loss, 4),
    num(t.shareOverTolerance, 3),
  ]);
  taskRows.push([
    'overall (mean of tasks)',
    String(score.tasks.reduce((s, t) => s + t.runs, 0)),
    num(score.runSaved, 3),
    num(score.runMeanLoss, 4),
    num(score.runP95Loss, 4),
    num(score.runShareOverTolerance, 3),
  ]);
  const groupRows = score.groups.map((g) => [g.group, String(g.runs), num(g.saved, 3), num(g.regret, 4)]);
  groupRows.push([
    'overall (mean of groups)',
    String(score.groups.reduce((s, g) => s + g.runs, 0)),
    num(score.groupSaved, 3),
    `${num(score.groupRegret, 4)} (max ${num(score.groupMaxRegret, 4)})`,
  ]);
  return [
    title,
    '',
    table(['task', 'runs', 'tokens saved', 'mean EM loss', 'p95 EM loss', `share ${over}`], taskRows),
    '',
    table(['group', 'runs', 'tokens saved', 'best-of-experiment regret'], groupRows),
  ].join('\n');
}

/** `--policy all`: one row per policy, overall numbers side by side. */
export function formatComparison(
  title: string,
  rows: { policy: string; score: Score | null; note?: string }[],
  tolerance: number,
): string {
  return [
    title,
    '',
    table(
      [
        'policy',
        'run tokens saved',
        'mean EM loss',
        'p95 EM loss',
        `share > ${tolerance}`,
        'group tokens saved',
        'group regret',
      ],
      rows.map(({ policy, score, note }) =>
        score
          ? [
              policy,
              num(score.runSaved, 3),
              num(score.runMeanLoss, 4),
              num(score.runP95Loss, 4),
              num(score.runShareOverTolerance, 3),
              num(score.groupSaved, 3),
              num(score.groupRegret, 4),
            ]
          : [policy, note ?? '', '', '', '', '', ''],
      ),
    ),
  ].join('\n');
}

/** `--format jsonl`: one line per run. */
export function formatOutcomes(outcomes: readonly RunOutcome[]): string {
  return outcomes
    .map((o) =>
      JSON.stringify({
        id: o.id,
        stop_index: o.stopIndex,
        stop_step: o.stopStep,
        stop_tokens: o.stopTokens,
        reason: o.reason,
      }),
    )
    .join('\n');
}
