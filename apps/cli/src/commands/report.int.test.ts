import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finishRun, insertExperimentRuns, type StoreDatabase, upsertEvals } from '@curfew/store';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedCharts } from '../report/test-data';
import { type CliResult, runCli } from '../test/run-cli';

const EXP = 'kv-qa-sweep-1';
const HOSTILE_CONFIG = { lr: 0.001, note: '</code><script>alert(1)</script>' };

/** EM at 100, 200, … tokens. */
const curve = (runId: string, ems: number[]) =>
  ems.map((em, i) => ({ runId, step: i + 1, tokens: (i + 1) * 100, em }));

/**
 * kv-qa-sweep-1: trial 0 stopped (plateau) at 400 of 1000 tokens, EM 0.75; trial 1 completed
 * 1000/1000, EM 0.8; trial 2 running, 200 tokens so far. empty-1: one queued run, no evals.
 */
async function seed(db: StoreDatabase) {
  const run = (trial: number, config: Record<string, unknown>, status?: 'running') => ({
    id: `${EXP}/${trial}`,
    experimentId: EXP,
    trial,
    config,
    budgetTokens: 1000,
    ...(status ? { status } : {}),
  });
  await insertExperimentRuns(
    db,
    {
      id: EXP,
      name: 'kv-qa-sweep',
      spec: { name: 'kv-qa-sweep' },
      taskFamily: 'kv-qa',
      policy: 'auto',
      tolerance: 0.005,
      status: 'running',
    },
    [run(0, HOSTILE_CONFIG), run(1, { lr: 0.01 }), run(2, { lr: 0.003 }, 'running')],
  );
  await upsertEvals(db, [
    ...curve(`${EXP}/0`, [0.5, 0.7, 0.75, 0.74]),
    ...curve(`${EXP}/1`, [0.3, 0.5, 0.6, 0.65, 0.7, 0.74, 0.77, 0.79, 0.8, 0.79]),
    ...curve(`${EXP}/2`, [0.2, 0.3]),
  ]);
  const ended = { valTokens: 0 };
  await finishRun(db, `${EXP}/0`, {
    ...ended,
    status: 'stopped',
    stopReason: 'plateau',
    tokensUsed: 400,
    bestStep: 3,
    bestTokens: 300,
    deployedEm: 0.75,
  });
  await finishRun(db, `${EXP}/1`, {
    ...ended,
    status: 'completed',
    stopReason: 'budget',
    tokensUsed: 1000,
    bestStep: 9,
    bestTokens: 900,
    deployedEm: 0.8,
  });
  await insertExperimentRuns(
    db,
    { id: 'empty-1', name: 'empty', spec: {}, taskFamily: 'copy', policy: 'patience' },
    [{ id: 'empty-1/0', experimentId: 'empty-1', trial: 0, config: {}, budgetTokens: 500 }],
  );
}

/** The value shown beside a header fact, e.g. fact(html, 'tokens saved') → '46.7%'. */
const fact = (html: string, label: string) =>
  new RegExp(`<dt>${label.replace(/[()]/g, '\\$&')}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];

const rowOf = (html: string, runId: string) =>
  new RegExp(`<tr data-run="${runId}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';

describe('curfew report', () => {
  let database: TestDatabase;
  let dir: string;
  let env: Record<string, string | undefined>;
  /** `curfew report kv-qa-sweep-1 --out DIR/r.html`: what it printed, and the file. */
  let out: string;
  let result: CliResult;
  let html: string;

  beforeAll(async () => {
    database = await postgresBackend.create();
    await seed(database.store.db);
    dir = await mkdtemp(path.join(tmpdir(), 'curfew-report-'));
    env = { DATABASE_URL: database.databaseUrl, CURFEW_HOME: dir };
    out = path.join(dir, 'r.html');
    result = await runCli(['report', EXP, '--out', out], { env });
    html = await readFile(out, 'utf8').catch(() => '');
  });
  afterAll(async () => {
    await database?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes one self-contained HTML file with the header, both charts and every run', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`wrote ${out} (3 runs)\n`);

    expect(html).toMatch(/^<!doctype html>/);
    // Nothing is fetched: the only scripts are inline (the chart code and its data).
    expect(html).not.toMatch(
      /<link|<img|<iframe|@import|url\(|src=|https?:|fetch\(|XMLHttpRequest|EventSource|WebSocket/i,
    );
    expect(html.match(/<script[^>]*>/g)).toEqual([
      '<script type="application/json" id="curfew-report-data">',
      '<script>',
    ]);
    for (const trial of [0, 1, 2]) expect(rowOf(html, `${EXP}/${trial}`)).not.toBe('');

    expect(fact(html, 'task family')).toBe('kv-qa');
    expect(fact(html, 'policy')).toBe('auto');
    expect(fact(html, 'tolerance (EM)')).toBe('0.005');
    expect(fact(html, 'status')).toBe('running');
    // 400 + 1000 + 200 so far of 3 × 1000.
    expect(fact(html, 'tokens used')).toBe('1,600 of 3,000 budget');
    expect(fact(html, 'tokens saved')).toBe('46.7%');
    expect(fact(html, 'best EM (run)')).toBe(`0.800 (${EXP}/1)`);
  });

  it('embeds a curve and an end marker per run, with why it ended, the budget, and the finished runs for the scatter', () => {
    const { curves, savings } = embeddedCharts(html);
    expect(curves.label).toBe('exact match (EM)');
    expect(curves.curves.series.map((s) => s.runId)).toEqual([`${EXP}/0`, `${EXP}/1`, `${EXP}/2`]);
    expect(curves.curves.x).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(curves.curves.series[0]?.values).toEqual([0.5, 0.7, 0.75, 0.74]);
    expect(curves.markers.map((m) => [m.trial, m.tokens, m.value, m.reason, m.live])).toEqual([
      [0, 400, 0.74, 'plateau', false],
      [1, 1000, 0.79, 'budget', false],
      [2, 200, 0.3, null, true],
    ]);
    expect(curves.budgets).toEqual([1000]);
    // The running run has saved nothing yet: only the two finished runs are points.
    expect(savings.map((p) => [p.trial, p.tokensSaved, p.deployedEm])).toEqual([
      [0, 0.6, 0.75],
      [1, 0, 0.8],
    ]);
    expect(html).toContain('<div id="learning-curves" class="chart">');
    expect(html).toContain('<div id="savings-scatter" class="chart">');
    for (const trial of [0, 1, 2]) expect(html).toContain(`<li data-run="${EXP}/${trial}">`);
  });

  it('shows each run in the table, and escapes a config that contains markup', () => {
    const stopped = rowOf(html, `${EXP}/0`);
    for (const cell of ['stopped', 'plateau', '>400<', '>1,000<', '60.0%', '>3<', '0.750']) {
      expect(stopped).toContain(cell);
    }
    expect(stopped).toContain('&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');

    const running = rowOf(html, `${EXP}/2`);
    expect(running).toContain('running');
    expect(running).toMatch(/200 <span class="muted">so far/);
    expect(running).toContain('0.300');
  });

  it('reports an experiment with no evals yet, by default to EXPERIMENT.html in the current folder', async () => {
    const empty = await runCli(['report', 'empty-1'], { env, cwd: dir });
    expect(empty.stderr).toBe('');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('wrote empty-1.html (1 run)\n');
    const page = await readFile(path.join(dir, 'empty-1.html'), 'utf8');
    const charts = embeddedCharts(page);
    expect(charts.curves.curves.series).toEqual([]);
    expect(charts.curves.markers).toEqual([]);
    expect(charts.savings).toEqual([]);
    expect(rowOf(page, 'empty-1/0')).toContain('queued');
  });

  it('names an unknown experiment in one line, suggests curfew status, and writes nothing', async () => {
    const nowhere = path.join(dir, 'nope.html');
    const unknown = await runCli(['report', 'nope-9', '--out', nowhere], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^curfew report: .*nope-9.*curfew status/);
    await expect(readFile(nowhere)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('explains its usage, refuses a missing experiment id, and says when it cannot write', async () => {
    const help = await runCli(['report', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: curfew report EXPERIMENT [--out FILE]');

    const missing = await runCli(['report'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('curfew report: give exactly one experiment id');

    const unwritable = await runCli(['report', EXP, '--out', path.join(dir, 'no-such-folder', 'r.html')], {
      env,
    });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unwritable.stderr).toMatch(/^curfew report: cannot write .*no-such-folder.*ENOENT/);
  });
});
