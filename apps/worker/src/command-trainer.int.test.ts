import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpoints, runAttempts, runLogsOf, runSummary } from '@curfew/store';
import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorkerFixture,
  evalsOf,
  runOf,
  spawnWorker,
  specOf,
  submitRuns,
  type WorkerFixture,
  waitUntil,
} from './test/worker-fixture';

const LOGREG = fileURLToPath(new URL('../../../examples/python/logreg', import.meta.url));
const BUDGET = 200_000;
const EVERY = 5_000;

let fixture: WorkerFixture | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  fixture = undefined;
  scratch = undefined;
});

const logregSpec = specOf({
  name: 'logreg',
  task: { family: 'custom', name: 'synthetic-logreg', params: { features: 16 } },
  trainer: {
    command: ['python3', 'train.py', '--lr', '{lr}', '--pace-ms', '{pace_ms}'],
    cwd: LOGREG,
    params: { lr: 0.3, pace_ms: 250 },
    grace_ms: 3_000,
  },
  budget: { max_tokens_per_run: BUDGET },
  eval: { every_tokens: EVERY },
  policy: { name: 'auto' },
});

/** The program's evals run straight through, with no curfew: what every attempt must agree with. */
function referenceEvals(): { step: number; tokens: number; em: number; loss: number }[] {
  const out = spawnSync('python3', ['train.py', '--lr', '0.3'], {
    cwd: LOGREG,
    // Without CURFEW_RUN_CONFIG it trains to its default budget (200,000 tokens, an eval every 5,000).
    env: { PATH: process.env.PATH },
    input: '',
    encoding: 'utf8',
  });
  return out.stdout
    .split('\n')
    .filter((line) => line.includes('"eval"'))
    .map((line) => JSON.parse(line));
}

describe('a command trainer (a Python program with no dependencies)', () => {
  it('is stopped early by auto, survives a SIGKILLed worker by resuming its own checkpoint, and ends with its evals', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    const [runId] = (await submitRuns(f, 'logreg-1', logregSpec)) as [string];
    const first = spawnWorker(f);
    await waitUntil(
      'three evals, a checkpoint and some output from the first attempt',
      async () => {
        const announced = await f.db.select().from(checkpoints).where(eq(checkpoints.runId, runId));
        const logged = (await runLogsOf(f.db, runId)).length > 0;
        return (await evalsOf(f.db, runId)).length >= 3 && announced.length > 0 && logged;
      },
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nfirst worker said:\n${first.output.join('')}`);
    });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const beforeKill = (await evalsOf(f.db, runId)).length;

    const second = spawnWorker(f);
    const run = await waitUntil(
      'the run to end on the second worker',
      async () => {
        const row = await runOf(f.db, runId);
        return row && ['stopped', 'completed', 'failed'].includes(row.status) ? row : undefined;
      },
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join('')}`);
    });
    expect(run.error).toBeNull();
    expect(run.status).toBe('stopped');
    expect(run.stopReason).not.toMatch(/^(budget|exited)$/);
    expect(run.tokensUsed).toBeLessThan(BUDGET);
    expect(run.attempts).toBe(2);
    expect(run.backend).toBe('command');

    const attempts = await f.db
      .select()
      .from(runAttempts)
      .where(eq(runAttempts.runId, runId))
      .orderBy(asc(runAttempts.attempt));
    const resumed = attempts[1];
    expect(resumed?.resumedFromAttempt).toBe(1);
    expect(resumed?.resumedFromStep).toBeGreaterThan(0);

    // Every eval once, in order, equal to the program's own uninterrupted run up to the stop.
    const stored = await evalsOf(f.db, runId);
    const reference = referenceEvals();
    expect(stored.length).toBeGreaterThan(beforeKill);
    expect(stored.map((e) => [e.step, e.tokens, e.em, e.valLoss])).toEqual(
      reference.slice(0, stored.length).map((e) => [e.step, e.tokens, e.em, e.loss]),
    );
    expect(stored.at(-1)?.tokens).toBe(run.tokensUsed);
    const best = stored.reduce((a, b) => ((b.em ?? 0) > (a.em ?? 0) ? b : a));
    expect(run.deployedEm).toBe(best.em);

    const [summary] = await f.db.select().from(runSummary).where(eq(runSummary.runId, runId));
    expect(summary).toMatchObject({ status: 'stopped', deployedEm: best.em });
    expect(Number(summary?.evals)).toBe(stored.length);
    expect(summary?.tokensSaved).toBeGreaterThan(0);

    console.log(
      `logreg command trainer: ${run.status} (${run.stopReason}) after ${run.tokensUsed} of ${BUDGET} tokens, ` +
        `deployed EM ${run.deployedEm}, ${stored.length} evals, attempt 2 resumed step ${resumed?.resumedFromStep}`,
    );
    // Its output went to the run's log, per attempt; the second attempt resumed its checkpoint.
    const logs = await runLogsOf(f.db, runId);
    expect(logs.map((l) => l.attempt)).toEqual([1, 2]);
    expect(logs[0]?.text).toContain('training from scratch: lr 0.3');
    expect(logs[1]?.text).toContain(`resumed from step ${resumed?.resumedFromStep}`);
    expect(logs[1]?.text).toMatch(/curfew: attempt 2 ends: stopped/);
  }, 300_000);
});

describe('a command trainer that misbehaves fails with one clear reason', () => {
  it('names a missing command, an early exit, a malformed eval line, silence, and a program that ignores SIGTERM', async () => {
    fixture = await createWorkerFixture();
    const f = fixture;
    scratch = await mkdtemp(path.join(tmpdir(), 'curfew-bad-programs-'));
    const programs: Record<string, string> = {
      'exits.py':
        'import sys\nprint("reading config", flush=True)\nsys.exit("no data at /data/train.jsonl")\n',
      'malformed.py':
        'import time\nprint(\'{"curfew": "eval", "step": 1, "tokens": 10, "em": "high"}\', flush=True)\ntime.sleep(60)\n',
      'silent.py': 'import time\nprint("warming up", flush=True)\ntime.sleep(60)\n',
      'stubborn.py':
        'import json, signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n' +
        'for step in range(1, 60):\n    print(json.dumps({"curfew": "eval", "step": step, "tokens": step * 10, "em": 0.5}), flush=True)\n    time.sleep(0.2)\n',
    };
    for (const [name, text] of Object.entries(programs)) await writeFile(path.join(scratch, name), text);
    const bad = (name: string, command: string[], extra: Record<string, unknown> = {}) =>
      specOf({
        name,
        task: { family: 'custom', name: 'bad' },
        trainer: { command, cwd: scratch, eval_timeout_ms: 1_500, grace_ms: 1_000 },
        budget: { max_tokens_per_run: 10_000 },
        policy: { name: 'patience', patience: 1 },
        ...extra,
      });
    const cases = [
      ['missing-1', bad('missing', ['no-such-trainer', 'train.py'])],
      ['exits-1', bad('exits', ['python3', 'exits.py'])],
      ['malformed-1', bad('malformed', ['python3', 'malformed.py'])],
      ['silent-1', bad('silent', ['python3', 'silent.py'])],
      ['stubborn-1', bad('stubborn', ['python3', 'stubborn.py'])],
    ] as const;
    const runIds: string[] = [];
    for (const [id, spec] of cases) runIds.push(...(await submitRuns(f, id, spec)));
    f.env.CURFEW_MAX_ATTEMPTS = '2';
    f.env.CURFEW_WORKER_CONCURRENCY = '5';
    const worker = spawnWorker(f);
    const ended = await waitUntil(
      'every run to end',
      async () => {
        const rows = await Promise.all(runIds.map((id) => runOf(f.db, id)));
        return rows.every((r) => r && ['failed', 'stopped', 'completed'].includes(r.status))
          ? rows
          : undefined;
      },
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nworker said:\n${worker.output.join('')}`);
    });
    const [missing, exits, malformed, silent, stubborn] = ended;
    // Final at once (every attempt would fail the same way): one attempt.
    expect(missing).toMatchObject({ status: 'failed', attempts: 1 });
    expect(missing?.error).toMatch(/^trainer.command\[0\]: no-such-trainer cannot be started \(ENOENT\)/);
    expect(malformed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(malformed?.error).toMatch(
      /^malformed curfew line from stdout \(em: expected a number \(or null\), got "high"\)/,
    );
    // A crash or a hang may be the machine's: retried, then given up with the program's last lines.
    expect(exits).toMatchObject({ status: 'failed', attempts: 2 });
    expect(exits?.error).toMatch(
      /^gave up after 2 attempts \(last: the program exited with code 1; its last lines:\nreading config\nno data at \/data\/train.jsonl/,
    );
    expect(silent).toMatchObject({ status: 'failed', attempts: 2 });
    expect(silent?.error).toMatch(
      /^gave up after 2 attempts \(last: the program reported no eval for 1500 ms since it started \(trainer.eval_timeout_ms\); its last lines:\nwarming up/,
    );
    // Stopped by its policy all the same: killed after the grace period, said in its log.
    expect(stubborn).toMatchObject({ status: 'stopped', attempts: 1, error: null });
    const [log] = await runLogsOf(f.db, stubborn?.id as string);
    expect(log?.text).toContain(
      'curfew: the program ignored SIGTERM for 1000 ms (trainer.grace_ms) and was killed',
    );
  }, 300_000);
});
