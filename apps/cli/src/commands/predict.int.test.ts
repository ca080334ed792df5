import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCurvesAsHistory } from '@curfew/meta';
import { parseCurveFile } from '@curfew/policies';
import { openStore } from '@curfew/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../test/run-cli';

let dir: string;
let historyFile: string;
let curvesFile: string;

/**
 * Tiny curve files: in every task the runs with the highest learning rates of its sweep peak at
 * 20% of the budget and the others at the end; each task's lr range is 1000× the previous one's.
 */
function curveLines(tasks: string[], runsPerTask: number, firstScale: number): string[] {
  return tasks.flatMap((task, t) =>
    Array.from({ length: runsPerTask }, (_, i) => {
      const peakAt = i >= runsPerTask / 2 ? 2 : 10;
      const evals = Array.from({ length: 10 }, (_, k) => ({
        step: k + 1,
        tokens: (k + 1) * 500,
        value: k + 1 <= peakAt ? (0.6 * (k + 1)) / peakAt : 0.6 - 0.02 * (k + 1 - peakAt),
      }));
      return JSON.stringify({
        id: `${task}/${i}`,
        task,
        group: task,
        metric: 'em',
        mode: 'max',
        features: {
          family: 'kv-qa',
          lr: firstScale * 10 ** (-4 + (3 * i) / (runsPerTask - 1) + 3 * t),
          batch_size: 32,
        },
        budget_tokens: 5000,
        evals,
      });
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'curfew-predict-'));
  historyFile = path.join(dir, 'history.jsonl');
  curvesFile = path.join(dir, 'new.jsonl');
  await writeFile(historyFile, `${curveLines(['a', 'b', 'c'], 10, 1).join('\n')}\n`);
  await writeFile(curvesFile, `${curveLines(['new'], 6, 30).join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('curfew predict', () => {
  it('--format jsonl prints id, predicted_peak_tokens, low, high, predicted_value per run, learning from --history only', async () => {
    const result = await runCli([
      'predict',
      '--history',
      historyFile,
      '--curves',
      curvesFile,
      '--format',
      'jsonl',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(rows.map((r) => r.id)).toEqual(['new/0', 'new/1', 'new/2', 'new/3', 'new/4', 'new/5']);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'predicted_peak_tokens', 'low', 'high', 'predicted_value']);
      expect(row.low as number).toBeLessThanOrEqual(row.predicted_peak_tokens as number);
      expect(row.high as number).toBeGreaterThanOrEqual(row.predicted_peak_tokens as number);
      expect(row.high as number).toBeLessThanOrEqual(5000);
      expect(row.predicted_value).toBeCloseTo(0.6, 3);
    }
    // The highest learning rates of the new sweep peak early, the lowest late.
    expect(rows[5]?.predicted_peak_tokens).toBeLessThan(1500);
    expect(rows[0]?.predicted_peak_tokens).toBeGreaterThan(4000);
  });

  it('prints a table by default, with the past runs each prediction came from', async () => {
    const result = await runCli(['predict', '--curves', curvesFile, '--history', historyFile]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^id +\| peak_fraction \| predicted_peak_tokens \| +low \| +high \| predicted_value \| sources/,
    );
    expect(lines.at(-1)).toBe('(6 rows)');
    expect(lines[2]).toMatch(/ [abc]\/\d+/);
  });

  it('predicts each run of a spec from the history in the store, and says so plainly when there is none', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'curfew-predict-home-'));
    try {
      const spec = path.join(REPO_ROOT, 'examples', 'kv-qa-sweep.yaml');
      const env = { CURFEW_HOME: home, DATABASE_URL: undefined };
      const empty = await runCli(['predict', spec], { env });
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.stdout).toMatch(/^no history to predict from: .* has no finished runs/);

      const store = await openStore({ dataDir: path.join(home, 'db') });
      try {
        await loadCurvesAsHistory(
          store.db,
          parseCurveFile(curveLines(['a', 'b', 'c'], 10, 1).join('\n'), 'h'),
        );
      } finally {
        await store.close();
      }
      const result = await runCli(['predict', spec, '--format', 'jsonl'], { env });
      expect(result.code, result.stderr).toBe(0);
      const rows = result.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              trial: number;
              predicted_peak_tokens: number;
              low: number;
              high: number;
              sources: string[];
            },
        );
      expect(rows.map((r) => r.trial)).toEqual([0, 1, 2, 3, 4, 5]);
      for (const row of rows) {
        expect(row.low).toBeLessThanOrEqual(row.predicted_peak_tokens);
        expect(row.high).toBeGreaterThanOrEqual(row.predicted_peak_tokens);
        expect(row.high).toBeLessThanOrEqual(2_000_000);
        expect(row.sources.length).toBeGreaterThan(0);
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('asks for the missing half of --history/--curves in one line, exit 2', async () => {
    const result = await runCli(['predict', '--curves', curvesFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(
      'curfew predict: --curves needs past runs to learn from: --history FILE...',
    );
  });
});
