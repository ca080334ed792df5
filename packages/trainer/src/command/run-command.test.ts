import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Decision } from '@curfew/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandAttempt, CommandRun } from './command-run';
import { type CommandEvalReport, runCommand } from './run-command';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'curfew-command-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setUp(script: string, over: Partial<CommandRun> = {}) {
  await writeFile(path.join(dir, 'train.py'), script);
  const run: CommandRun = {
    runId: 'cmd-1/0',
    experimentId: 'cmd-1',
    trial: 0,
    command: ['python3', 'train.py', '--lr', '{lr}'],
    cwd: dir,
    env: { GREETING: 'hi' },
    params: { lr: 0.5 },
    task: { family: 'custom', name: 't', params: {} },
    budgetTokens: 1_000,
    evalEveryTokens: 100,
    monitor: 'em',
    mode: 'max',
    evalTimeoutMs: 20_000,
    graceMs: 1_000,
    ...over,
  };
  const attempt: CommandAttempt = {
    attempt: 1,
    checkpointDir: dir,
    evalFile: path.join(dir, 'evals.jsonl'),
    accelerator: 'cpu',
    resumedFromStep: null,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  };
  return { run, attempt };
}

/** Continues until `stopAt`, where it answers stop (plateau). */
function stopAt(step: number, seen: CommandEvalReport[]) {
  return async (report: CommandEvalReport): Promise<Decision> => {
    seen.push(report);
    return report.step >= step ? { kind: 'stop', reason: 'plateau' } : { kind: 'continue' };
  };
}

const EVALS = `
import json, os, sys, time, signal
def term(*_):
    print("got SIGTERM", file=sys.stderr, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
cfg = json.loads(os.environ["CURFEW_RUN_CONFIG"])
print("lr", sys.argv[2], "greeting", os.environ["GREETING"], "budget", cfg["budget_tokens"], flush=True)
for step in range(1, 11):
    print(json.dumps({"curfew": "eval", "step": step, "tokens": step * 100, "em": min(1, step / 4), "loss": 1 / step}), flush=True)
    time.sleep(0.05)
time.sleep(30)
`;

describe('runCommand', () => {
  it('sends each eval line to the decider, and stops the program with SIGTERM when told to', async () => {
    const { run, attempt } = await setUp(EVALS);
    const seen: CommandEvalReport[] = [];
    const logs: string[] = [];
    const summary = await runCommand(run, attempt, { decide: stopAt(5, seen), onLog: (l) => logs.push(l) });
    expect(seen.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[1]).toEqual({
      step: 2,
      tokens: 200,
      valTokens: 0,
      lr: null,
      valExamples: null,
      metrics: { em: 0.5, loss: 0.5 },
    });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'plateau', tokensUsed: 500, evals: 5 });
    // The first eval at em 1 is the best one; the program exited on its own SIGTERM handler.
    expect(summary).toMatchObject({ bestStep: 4, bestTokens: 400, deployedEm: 1, killed: false });
    expect(logs).toEqual(['lr 0.5 greeting hi budget 1000', 'got SIGTERM']);
  }, 30_000);

  it('reads evals from CURFEW_EVAL_FILE, and completes a run at its budget', async () => {
    const { run, attempt } = await setUp(
      `
import json, os
with open(os.environ["CURFEW_EVAL_FILE"], "a") as f:
    for step in range(1, 5):
        f.write(json.dumps({"curfew": "eval", "step": step, "tokens": step * 250, "loss": 2.0 / step}) + "\\n")
        f.flush()
`,
      { monitor: 'loss', mode: 'min' },
    );
    const seen: CommandEvalReport[] = [];
    const summary = await runCommand(run, attempt, { decide: stopAt(99, seen) });
    expect(seen.map((r) => r.tokens)).toEqual([250, 500, 750, 1000]);
    expect(summary).toMatchObject({
      status: 'completed',
      stopReason: 'budget',
      bestStep: 4,
      deployedEm: null,
    });
  }, 30_000);

  it('answers a program that asks with each decision on stdin, adjust included', async () => {
    const { run, attempt } = await setUp(`
import json, sys
print(json.dumps({"curfew": "ask"}), flush=True)
lr = 1.0
for step in range(1, 4):
    print(json.dumps({"curfew": "eval", "step": step, "tokens": step * 10, "em": 0.1}), flush=True)
    decision = json.loads(sys.stdin.readline())
    if decision["kind"] == "adjust":
        lr *= decision["lrFactor"]
    print("step", decision["step"], decision["kind"], "lr", lr, flush=True)
`);
    const logs: string[] = [];
    const decide = async (r: CommandEvalReport): Promise<Decision> =>
      r.step === 2 ? { kind: 'adjust', lrFactor: 0.5, reason: 'lr-drop' } : { kind: 'continue' };
    const summary = await runCommand(run, attempt, { decide, onLog: (l) => logs.push(l) });
    expect(logs).toEqual(['step 1 continue lr 1.0', 'step 2 adjust lr 0.5', 'step 3 continue lr 0.5']);
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'exited', evals: 3 });
  }, 30_000);

  it('seeds the best eval and the step order from the evals of earlier attempts', async () => {
    const { run, attempt } = await setUp(`
import json
print(json.dumps({"curfew": "eval", "step": 3, "tokens": 300, "em": 0.2}), flush=True)
`);
    attempt.resumedFromStep = 2;
    attempt.priorEvals = [
      { step: 1, tokens: 100, valTokens: 0, metrics: { em: 0.1 } },
      { step: 2, tokens: 200, valTokens: 0, metrics: { em: 0.6 } },
    ];
    const summary = await runCommand(run, attempt, { decide: stopAt(99, []) });
    expect(summary).toMatchObject({ bestStep: 2, deployedEm: 0.6, tokensUsed: 300, evals: 1 });
  }, 30_000);
});

describe('runCommand on a broken program: one clear reason', () => {
  it('a command that does not exist', async () => {
    const { run, attempt } = await setUp('', { command: ['no-such-trainer-x', 'train.py'] });
    await expect(runCommand(run, attempt, { decide: stopAt(1, []) })).rejects.toMatchObject({
      name: 'CommandNotFoundError',
      message: expect.stringMatching(/^trainer.command\[0\]: no-such-trainer-x cannot be started \(ENOENT\)/),
    });
  });

  it('a working directory that does not exist', async () => {
    const { run, attempt } = await setUp('', { cwd: path.join(dir, 'nope') });
    await expect(runCommand(run, attempt, { decide: stopAt(1, []) })).rejects.toMatchObject({
      name: 'CommandNotFoundError',
      message: `trainer.cwd: ${path.join(dir, 'nope')} is not a folder on this worker`,
    });
  });

  it('a program that exits at once', async () => {
    const { run, attempt } = await setUp(
      'import sys\nprint("loading data", flush=True)\nsys.exit("boom: no data")\n',
    );
    await expect(runCommand(run, attempt, { decide: stopAt(1, []) })).rejects.toMatchObject({
      name: 'CommandFailedError',
      message: 'the program exited with code 1; its last lines:\nloading data\nboom: no data',
    });
  });

  it('a program that exits cleanly without an eval', async () => {
    const { run, attempt } = await setUp('pass\n');
    await expect(runCommand(run, attempt, { decide: stopAt(1, []) })).rejects.toMatchObject({
      name: 'CommandFailedError',
      message: 'the program exited (code 0) before reporting an eval; it printed nothing',
    });
  });

  it('a malformed eval line', async () => {
    const { run, attempt } = await setUp(
      'import time\nprint(\'{"curfew": "eval", "step": "one", "em": 1}\', flush=True)\ntime.sleep(30)\n',
    );
    await expect(runCommand(run, attempt, { decide: stopAt(9, []) })).rejects.toMatchObject({
      name: 'CommandProtocolError',
      message: expect.stringMatching(
        /^malformed curfew line from stdout \(step: expected a non-negative integer, got "one"\)/,
      ),
    });
  }, 30_000);

  it('evals whose steps go backwards', async () => {
    const { run, attempt } = await setUp(`
import json
for step in (2, 1):
    print(json.dumps({"curfew": "eval", "step": step, "tokens": 10, "em": 0}), flush=True)
`);
    await expect(runCommand(run, attempt, { decide: stopAt(9, []) })).rejects.toMatchObject({
      name: 'CommandProtocolError',
      message: expect.stringMatching(
        /^eval at step 1 is not after the previous eval \(step 2\): steps must increase/,
      ),
    });
  }, 30_000);

  it('a program that never reports', async () => {
    const { run, attempt } = await setUp('import time\nprint("thinking", flush=True)\ntime.sleep(60)\n', {
      evalTimeoutMs: 700,
    });
    const started = Date.now();
    await expect(runCommand(run, attempt, { decide: stopAt(9, []) })).rejects.toMatchObject({
      name: 'CommandSilentError',
      message: expect.stringMatching(
        /^the program reported no eval for 700 ms since it started \(trainer.eval_timeout_ms\); its last lines:\nthinking/,
      ),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('a program that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const { run, attempt } = await setUp(
      `
import json, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(json.dumps({"curfew": "eval", "step": 1, "tokens": 10, "em": 0.3}), flush=True)
time.sleep(60)
`,
      { graceMs: 500 },
    );
    const logs: string[] = [];
    const started = Date.now();
    const summary = await runCommand(run, attempt, { decide: stopAt(1, []), onLog: (l) => logs.push(l) });
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'plateau', killed: true });
    expect(logs).toEqual(['curfew: the program was still running 500 ms after SIGTERM; sent SIGKILL']);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
