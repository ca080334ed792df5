import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitForStdout } from '../test/run-cli';

/** Small enough for the plain-JS backend: a 4-symbol reversal and a one-layer MLP. */
const TINY = {
  name: 'tiny',
  task: { family: 'reverse', params: { length: 4, vocab: 5, train_examples: 500, val_examples: 100 } },
  model: { family: 'mlp', params: { hidden: 32, layers: 1 } },
  budget: { max_tokens_per_run: 20_000 },
  eval: { every_tokens: 5_000 },
  policy: { name: 'none' },
};

interface EvalLine {
  step: number;
  tokens: number;
  em: number;
  loss: number;
  lr: number;
  train_loss: number | null;
  decision: string;
}

interface SummaryLine {
  run_id: string;
  status: string;
  stop_reason: string | null;
  tokens_used: number;
  budget_tokens: number;
  tokens_saved: number | null;
  steps: number;
  evals: number;
  best_step: number | null;
  deployed_em: number | null;
  backend: string;
  checkpoint_dir: string;
}

/** jsonl output: the eval lines, then the summary line (which must be last). */
function parseJsonl(stdout: string): { evals: EvalLine[]; summary: SummaryLine } {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop();
  expect(last, stdout).toHaveProperty('summary');
  for (const line of lines) expect(line).not.toHaveProperty('summary');
  return { evals: lines as unknown as EvalLine[], summary: (last as { summary: SummaryLine }).summary };
}

let dir: string;
let artifacts: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'curfew-train-'));
  artifacts = path.join(dir, 'artifacts');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSpec(spec: object, name = 'spec.json'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(spec, null, 2));
  return file;
}

const jsonlArgs = (file: string, ...more: string[]) => [
  'train',
  file,
  '--format',
  'jsonl',
  '--backend',
  'cpu',
  '--artifacts',
  artifacts,
  ...more,
];

/** Environment without the user's own curfew settings. */
const CLEAN_ENV = { CURFEW_BACKEND: undefined, CURFEW_ARTIFACTS: undefined, CURFEW_HOME: undefined };

describe('curfew train', () => {
  it('prints an eval per every_tokens, then a budget summary; again, it resumes the finished run', async () => {
    const file = await writeSpec(TINY);
    const first = await runCli(jsonlArgs(file), { env: CLEAN_ENV });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const { evals, summary } = parseJsonl(first.stdout);
    expect(evals).toHaveLength(4);
    for (const e of evals) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['step', 'tokens', 'em', 'loss', 'lr']));
      expect(e.em).toBeGreaterThanOrEqual(0);
      expect(e.em).toBeLessThanOrEqual(1);
      expect(e.loss).toBeGreaterThan(0);
      expect(e.lr).toBe(0.003);
    }
    const gaps = evals.map((e, i) => e.tokens - (evals[i - 1]?.tokens ?? 0));
    for (const gap of gaps) expect(Math.abs(gap - 5_000)).toBeLessThan(1_000);
    expect(evals.map((e) => e.step)).toEqual([...evals.map((e) => e.step)].sort((a, b) => a - b));
    expect(summary).toMatchObject({ run_id: 'tiny/0', status: 'completed', stop_reason: 'budget', evals: 4 });
    expect(summary.tokens_used).toBeGreaterThanOrEqual(20_000);
    expect(summary.checkpoint_dir).toBe(path.join(artifacts, 'tiny', '0'));
    expect(existsSync(path.join(artifacts, 'tiny', '0'))).toBe(true);

    // The checkpoint says the run is over: the same summary, no training, no evals.
    const again = await runCli(jsonlArgs(file), { env: CLEAN_ENV });
    expect(again.code, again.stderr).toBe(0);
    const resumed = parseJsonl(again.stdout);
    expect(resumed.evals).toHaveLength(0);
    expect(resumed.summary).toEqual(summary);
    expect(again.stderr).toMatch(/tiny\/0 had already finished; --no-resume trains it again/);

    // --no-resume starts over, and training is reproducible.
    const fresh = await runCli(jsonlArgs(file, '--no-resume'), { env: CLEAN_ENV });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(parseJsonl(fresh.stdout)).toEqual({ evals, summary });

    // An edited spec does not silently continue the old run's weights.
    const edited = await writeSpec({
      ...TINY,
      model: { family: 'mlp', params: { hidden: 32, layers: 1, lr: 0.01 } },
    });
    const refused = await runCli(jsonlArgs(edited), { env: CLEAN_ENV });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trim().split('\n');
    expect(lines, refused.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^curfew train: .*other settings \(model\.params\.lr: 0\.003 → 0\.01.*--no-resume/,
    );
  });

  it('prints a header, a row per eval and a summary in table format, from CURFEW_BACKEND and CURFEW_HOME', async () => {
    const file = await writeSpec(TINY);
    const home = path.join(dir, 'home');
    const result = await runCli(['train', file], {
      env: { ...CLEAN_ENV, CURFEW_BACKEND: 'cpu', CURFEW_HOME: home },
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^run tiny\/0: task reverse \{length: 4, .*model mlp \{hidden: 32, .*budget 20000 tokens, eval every 5000 tokens, policy none, backend cpu$/,
    );
    expect(lines[1]).toMatch(/^\s+step\s+tokens\s+val_ex\s+em\s+val_loss\s+train_loss\s+lr\s+decision$/);
    const rows = lines.filter((l) => /^\s+\d+\s+\d+\s+\d+\s+[\d.]+\s/.test(l));
    expect(rows).toHaveLength(4);
    expect(result.stdout).toMatch(/^ {2}stop reason\s+budget$/m);
    expect(result.stdout).toMatch(/^ {2}deployed EM\s+\d\.\d{4}$/m);
    expect(result.stdout).toMatch(/^ {2}params\s+\d+$/m);
    expect(existsSync(path.join(home, 'artifacts', 'tiny', '0'))).toBe(true);
  });

  it('stops with reason patience when a patience-1 policy sees no gain', async () => {
    const file = await writeSpec({
      ...TINY,
      budget: { max_tokens_per_run: 400_000 },
      policy: { name: 'patience', patience: 1 },
    });
    const result = await runCli(jsonlArgs(file), { env: CLEAN_ENV });
    expect(result.code, result.stderr).toBe(0);
    const { evals, summary } = parseJsonl(result.stdout);
    expect(summary).toMatchObject({ status: 'stopped', stop_reason: 'patience' });
    expect(summary.tokens_used).toBeLessThan(400_000);
    expect(evals.at(-1)?.decision).toBe('stop:patience');
    expect(evals.slice(0, -1).every((e) => e.decision === 'continue')).toBe(true);
  });

  it('on Ctrl-C saves a checkpoint and exits 130; the same command resumes where it stopped', async () => {
    const file = await writeSpec({ ...TINY, budget: { max_tokens_per_run: 150_000 } });
    const running = startCli(jsonlArgs(file), { env: CLEAN_ENV });
    await waitForStdout(running, (out) => out.split('\n').length > 2, 15_000);
    running.child.kill('SIGINT');
    const interrupted = await running.done;
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toMatch(/tiny\/0 interrupted at step \d+ .*run the same command to resume/);
    const before = parseJsonl(interrupted.stdout);
    expect(before.summary).toMatchObject({ status: 'interrupted', stop_reason: null, tokens_saved: null });
    expect(before.summary.tokens_used).toBeLessThan(150_000);

    const resumed = await runCli(jsonlArgs(file), { env: CLEAN_ENV });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming tiny\/0 from its checkpoint/);
    const after = parseJsonl(resumed.stdout);
    expect(after.evals[0]?.tokens).toBeGreaterThan(before.summary.tokens_used);
    expect(after.summary).toMatchObject({ status: 'completed', stop_reason: 'budget' });
    expect(after.summary.evals).toBe(before.evals.length + after.evals.length);
  });

  it('prints every problem of a bad spec with its path, as curfew validate does', async () => {
    const file = await writeSpec({ ...TINY, budget: { max_tokens_per_run: -5 } }, 'bad.json');
    const result = await runCli(jsonlArgs(file), { env: CLEAN_ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: budget\\.max_tokens_per_run: expected a positive integer, got -5$`,
      ),
    );
  });

  it.each([
    [
      'a trial the spec does not have',
      ['--trial', '5'],
      {},
      /^curfew train: --trial 5: .* has 1 trial \(--trial 0 to 0\)$/,
    ],
    [
      'a trial that is not a number',
      ['--trial', 'two'],
      {},
      /^curfew train: --trial: expected a non-negative integer/,
    ],
    [
      'an unknown backend',
      ['--backend', 'tpu'],
      {},
      /^curfew train: --backend must be one of node-gpu, node, wasm, cpu/,
    ],
    [
      'a meta policy',
      [],
      { policy: { name: 'meta' } },
      /^curfew train: .*policy meta learns from run history.*use policy auto/,
    ],
    [
      'transformer heads that do not divide its width',
      [],
      { model: { family: 'transformer', params: { heads: 3 } } },
      /model\.params\.heads: expected a divisor of d_model \(64\), got 3/,
    ],
  ])('refuses %s in one line', async (_what, args, change, message) => {
    const file = await writeSpec({ ...TINY, ...change });
    const result = await runCli(['train', file, '--artifacts', artifacts, ...args], { env: CLEAN_ENV });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(artifacts)).toBe(false);
  });

  it('refuses a CURFEW_BACKEND that is no backend, naming the variable', async () => {
    const file = await writeSpec(TINY);
    const result = await runCli(['train', file], {
      env: { ...CLEAN_ENV, CURFEW_BACKEND: 'tpu', CURFEW_HOME: dir },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'curfew: environment variable CURFEW_BACKEND: expected one of node-gpu, node, wasm, cpu, got "tpu"',
    );
  });
});
