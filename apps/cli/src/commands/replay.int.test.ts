import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli';

/** The dev curves beside the repository (../shared/curves/dev), or CURFEW_DEV_CURVES. */
const QUICKTUNE = path.join(
  process.env.CURFEW_DEV_CURVES ??
    fileURLToPath(new URL('../../../../../shared/curves/dev/', import.meta.url)),
  'quicktune.jsonl',
);
const TASKS = 2;
const RUNS_PER_TASK = 12;

let dir: string;
let slice: string;
let sliceLines: string[];

/** The first runs of the first tasks of a real curve file, written to a temp dir (never committed). */
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'curfew-replay-'));
  const perTask = new Map<string, string[]>();
  for (const line of (await readFile(QUICKTUNE, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    const task = (JSON.parse(line) as { task: string }).task;
    let kept = perTask.get(task);
    if (!kept) {
      if (perTask.size >= TASKS) continue;
      kept = [];
      perTask.set(task, kept);
    }
    if (kept.length < RUNS_PER_TASK) kept.push(line);
  }
  sliceLines = [...perTask.values()].flat();
  slice = path.join(dir, 'slice.jsonl');
  await writeFile(slice, `${sliceLines.join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idsOf = () => sliceLines.map((l) => (JSON.parse(l) as { id: string }).id);
const tasksOf = () => [...new Set(sliceLines.map((l) => (JSON.parse(l) as { task: string }).task))];

/** A bad invocation: non-zero exit, nothing on stdout, one line on stderr. */
async function fails(args: string[]): Promise<string> {
  const result = await runCli(['replay', ...args]);
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0] as string;
}

describe('curfew replay', () => {
  it('--format jsonl prints one line per run with exactly id, stop_index, stop_step, stop_tokens, reason', async () => {
    const result = await runCli([
      'replay',
      '--curves',
      slice,
      '--policy',
      'patience',
      '--patience',
      '3',
      '--format',
      'jsonl',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(sliceLines.length);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.id)).toEqual(idsOf());
    for (const [i, row] of rows.entries()) {
      expect(Object.keys(row).sort()).toEqual(['id', 'reason', 'stop_index', 'stop_step', 'stop_tokens']);
      const evals = (JSON.parse(sliceLines[i] as string) as { evals: { step: number; tokens: number }[] })
        .evals;
      const k = row.stop_index as number;
      expect(Number.isInteger(k) && k >= 0 && k < evals.length).toBe(true);
      expect(row.stop_step).toBe(evals[k]?.step);
      expect(row.stop_tokens).toBe(evals[k]?.tokens);
      expect(typeof row.reason).toBe('string');
    }
    // Patience 3 stops some of these noisy runs.
    expect(rows.some((r) => r.reason === 'patience')).toBe(true);
  });

  it('the table has a row per task and an overall row', async () => {
    const result = await runCli(['replay', '--curves', slice, '--policy', 'patience', '--patience', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    for (const task of tasksOf()) {
      expect(lines.some((l) => l.startsWith(`${task} `) && l.includes(` ${RUNS_PER_TASK} `))).toBe(true);
    }
    expect(
      lines.some((l) => l.startsWith('overall (mean of tasks)') && l.includes(` ${sliceLines.length} `)),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('overall (mean of groups)'))).toBe(true);
  });

  it('--policy all prints one row per policy', async () => {
    const result = await runCli(['replay', '--curves', slice, '--policy', 'all']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('policy ') && l.includes('run tokens saved'));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1).filter((l) => l.trim());
    expect(rows.map((l) => (l.split(/\s{2,}/)[0] as string).trim())).toEqual([
      'none',
      'patience',
      'threshold',
      'median',
      'asha',
      'extrapolate',
      'meta',
      'auto (no history)',
    ]);
    expect(rows.find((l) => l.startsWith('meta'))).toContain('needs --history');
  });

  it('takes Keras-named flags: --min-delta --baseline --start-from-eval', async () => {
    const args = [
      'replay',
      '--curves',
      slice,
      '--policy',
      'patience',
      '--patience',
      '3',
      '--format',
      'jsonl',
    ];
    const plain = await runCli(args);
    const keras = await runCli([
      ...args,
      '--min-delta',
      '0.001',
      '--baseline',
      '0.3',
      '--start-from-eval',
      '2',
    ]);
    expect(keras.stderr).toBe('');
    expect(keras.code).toBe(0);
    expect(keras.stdout.trim().split('\n')).toHaveLength(sliceLines.length);
    // The flags reach the policy: the decisions change.
    expect(keras.stdout).not.toBe(plain.stdout);
  });

  describe('bad input: non-zero exit and one line on stderr naming the problem', () => {
    it('a missing file names the file', async () => {
      const missing = path.join(dir, 'nope.jsonl');
      const line = await fails(['--curves', missing, '--policy', 'patience']);
      expect(line).toContain(missing);
      expect(line).toMatch(/no such file/);
    });

    it('a malformed line names file:line', async () => {
      const bad = path.join(dir, 'bad.jsonl');
      await writeFile(bad, `${sliceLines[0]}\n${sliceLines[1]}\n{"id": "x", oops\n`);
      const line = await fails(['--curves', bad, '--policy', 'patience']);
      expect(line).toContain(`${bad}:3`);
      expect(line).toMatch(/not valid JSON/);
    });

    it('a curve with no evals names file:line', async () => {
      const empty = path.join(dir, 'empty.jsonl');
      const run = JSON.parse(sliceLines[0] as string) as Record<string, unknown>;
      await writeFile(empty, `${sliceLines[1]}\n${JSON.stringify({ ...run, evals: [] })}\n`);
      const line = await fails(['--curves', empty, '--policy', 'patience']);
      expect(line).toContain(`${empty}:2`);
      expect(line).toMatch(/no evals/);
    });

    it('an unknown policy', async () => {
      const line = await fails(['--curves', slice, '--policy', 'sometimes']);
      expect(line).toMatch(/unknown policy "sometimes"/);
    });

    it('an option that does not apply to the policy', async () => {
      const line = await fails(['--curves', slice, '--policy', 'threshold', '--patience', '3']);
      expect(line).toMatch(/--patience does not apply to policy threshold/);
    });

    it('a non-number', async () => {
      const line = await fails(['--curves', slice, '--policy', 'patience', '--patience', 'abc']);
      expect(line).toMatch(/--patience: expected a number, got "abc"/);
    });

    it('--policy meta without --history', async () => {
      const line = await fails(['--curves', slice, '--policy', 'meta']);
      expect(line).toMatch(/meta/);
      expect(line).toMatch(/--history/);
    });

    it('--scope banana', async () => {
      const line = await fails(['--curves', slice, '--policy', 'patience', '--scope', 'banana']);
      expect(line).toMatch(/--scope must be one of run, experiment, got "banana"/);
    });

    it('a misspelt option, with the option it probably meant', async () => {
      const line = await fails(['--curves', slice, '--policy', 'patience', '--patiance', '3']);
      expect(line).toMatch(/unknown option --patiance \(did you mean --patience\?\)/);
    });

    it('a negative value is read as a value, and checked', async () => {
      const line = await fails(['--curves', slice, '--policy', 'patience', '--patience', '-1']);
      expect(line).toMatch(/patience: expected a non-negative integer, got -1/);
    });

    it('an empty curve file, or one of blank lines, is an error, not "0 runs"', async () => {
      const empty = path.join(dir, 'empty.jsonl');
      await writeFile(empty, '\n\n');
      const line = await fails(['--curves', slice, empty, '--policy', 'patience']);
      expect(line).toBe(
        `curfew replay: --curves ${empty}: no runs in the file (it is empty); a curve file holds one run per line (README, "Curve files")`,
      );
    });

    it('--monitor naming a metric the curves do not record', async () => {
      const line = await fails(['--curves', slice, '--policy', 'patience', '--monitor', 'em']);
      expect(line).toMatch(/--monitor em: the curves record top1/);
    });
  });

  it('takes true/false after a boolean flag', async () => {
    const base = ['replay', '--curves', slice, '--policy', 'patience', '--format', 'jsonl'];
    const plain = await runCli(base);
    const explicit = await runCli([...base, '--restore-best', 'true', '--lr-drop-before-stop', 'false']);
    expect(explicit.stderr).toBe('');
    expect(explicit.code).toBe(0);
    expect(explicit.stdout).toBe(plain.stdout);
  });
});
