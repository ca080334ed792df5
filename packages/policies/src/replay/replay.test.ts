import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPolicy, POLICY_NAMES } from '../create-policy';
import type { PolicyName, PolicyOptions } from '../options';
import { mulberry32 } from '../prng';
import { devCurvesFile } from '../test-support';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type EvalPoint,
  type Mode,
  type StoppingPolicy,
} from '../types';
import type { Curve } from './curve';
import { CurveFileError, parseCurveFile } from './curve-format';
import { type ReplayScope, type RunOutcome, replay } from './replay';
import { replayPolicy } from './replay-policy';
import { scoreStops } from './score';

const QUICKTUNE = devCurvesFile('quicktune.jsonl');

/** The first `runsPerTask` runs of each of the first `tasks` tasks of a real curve file (read, never copied). */
function slice(file: string, tasks: number, runsPerTask: number): Curve[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const perTask = new Map<string, string[]>();
  for (const line of lines) {
    if (!line.trim()) continue;
    const task = (JSON.parse(line) as { task: string }).task;
    let kept = perTask.get(task);
    if (!kept) {
      if (perTask.size >= tasks) continue;
      kept = [];
      perTask.set(task, kept);
    }
    if (kept.length < runsPerTask) kept.push(line);
  }
  return parseCurveFile([...perTask.values()].flat().join('\n'), file);
}

const common = { monitor: 'em', mode: 'max' as Mode, tolerance: 0.005, lr_drop_before_stop: false };

/** The spec's defaults for each policy (packages/spec/src/policy-spec.ts). */
function optionsFor(name: PolicyName, over: Record<string, unknown> = {}): PolicyOptions {
  switch (name) {
    case 'none':
      return { name };
    case 'patience':
      return { ...common, name, patience: 5, min_delta: 0, start_from_eval: 0, restore_best: true, ...over };
    case 'threshold':
      return { ...common, name, min_evals: 3, ...over };
    case 'median':
      return { ...common, name, startup_runs: 5, warmup_evals: 3, ...over };
    case 'asha':
      return { ...common, name, reduction_factor: 3, ...over };
    case 'extrapolate':
      return { ...common, name, probability: 0.05, min_evals: 4, ...over };
    case 'meta':
    case 'auto':
      return { ...common, name, ...over };
  }
}

/** Replays a policy as `curfew replay` does, with no history. */
function run(curves: readonly Curve[], name: PolicyName, scope: ReplayScope, workers = 3): RunOutcome[] {
  return replayPolicy({
    curves,
    modelFor: () => null,
    options: optionsFor(name),
    scope,
    workers,
    tolerance: 0.005,
  }).outcomes;
}

/** What a decision is judged by: where the run stopped and why. */
const decisionsOf = (outcomes: readonly RunOutcome[]) =>
  outcomes.map((o) => ({
    id: o.id,
    stopIndex: o.stopIndex,
    stopStep: o.stopStep,
    stopTokens: o.stopTokens,
    reason: o.reason,
  }));

const NO_HISTORY: readonly PolicyName[] = POLICY_NAMES.filter((n) => n !== 'meta');

describe('replay is causal: a decision never depends on what comes after it', () => {
  const curves = slice(QUICKTUNE, 3, 25);
  const scopes: readonly ReplayScope[] = ['run', 'experiment'];

  it('uses a slice of real curves with several groups', () => {
    expect(curves).toHaveLength(75);
    expect(new Set(curves.map((c) => c.group)).size).toBe(3);
    expect(NO_HISTORY).toEqual(['none', 'patience', 'threshold', 'median', 'asha', 'extrapolate', 'auto']);
  });

  for (const scope of scopes) {
    describe(`scope ${scope}`, () => {
      for (const name of NO_HISTORY) {
        /** Each run cut right after the eval where the policy stopped it; budgetTokens unchanged. */
        const truncate = (base: readonly RunOutcome[]) =>
          curves.map((c, i) => ({ ...c, evals: c.evals.slice(0, (base[i] as RunOutcome).stopIndex + 1) }));

        it(`${name}: truncating each run after its stop eval (same budget) keeps where every run stops`, () => {
          const base = run(curves, name, scope);
          if (name !== 'none' && !(scope === 'run' && (name === 'asha' || name === 'median'))) {
            // Not vacuous: the policy does stop runs early on these curves (asha and median need peers).
            expect(base.some((o) => o.reason !== 'budget')).toBe(true);
          }
          const where = (os: readonly RunOutcome[]) => decisionsOf(os).map(({ reason: _, ...at }) => at);
          expect(where(run(truncate(base), name, scope))).toEqual(where(base));
        });

        it(`${name}: truncating each run after its stop eval (same budget) keeps why every run stopped`, () => {
          // The cut run's last eval is below its budget, so a stop there is a real stop, not 'budget'.
          const base = run(curves, name, scope);
          expect(decisionsOf(run(truncate(base), name, scope))).toEqual(decisionsOf(base));
        });

        it(`${name}: changing every value after each run's stop eval changes no outcome`, () => {
          const base = run(curves, name, scope);
          const random = mulberry32(20_240_601);
          const ones = curves.map((c, i) => {
            const k = (base[i] as RunOutcome).stopIndex;
            return { ...c, evals: c.evals.map((e, j) => (j > k ? { ...e, value: 1 } : e)) };
          });
          const noise = curves.map((c, i) => {
            const k = (base[i] as RunOutcome).stopIndex;
            return { ...c, evals: c.evals.map((e, j) => (j > k ? { ...e, value: random() } : e)) };
          });
          expect(decisionsOf(run(ones, name, scope))).toEqual(decisionsOf(base));
          expect(decisionsOf(run(noise, name, scope))).toEqual(decisionsOf(base));
        });
      }
    });
  }
});

describe('the budget comes from budgetTokens, not from the number of evals', () => {
  const curves = slice(QUICKTUNE, 2, 15);
  const halves = curves.map((c) => ({ ...c, evals: c.evals.slice(0, Math.ceil(c.evals.length / 2)) }));

  for (const name of ['patience', 'threshold', 'asha'] as const) {
    it(`${name}: a run holding half its evals decides as the full run on the evals it has`, () => {
      for (const [i, full] of curves.entries()) {
        const half = halves[i] as Curve;
        expect(half.budgetTokens).toBe(full.budgetTokens);
        const info = {
          id: full.id,
          budgetTokens: full.budgetTokens,
          mode: full.mode,
          features: full.features,
        };
        const a = createPolicy(optionsFor(name), { run: info });
        const b = createPolicy(optionsFor(name), { run: { ...info } });
        for (let j = 0; j < half.evals.length; j++) {
          const da = a.decide({ evals: full.evals.slice(0, j + 1), peers: [] });
          const db = b.decide({ evals: half.evals.slice(0, j + 1), peers: [] });
          expect(db, `${full.id} eval ${j}`).toEqual(da);
          if (da.kind === 'stop') break;
        }
      }
    });

    it(`${name}: replaying half-length files stops where the full runs did, when that is before their end`, () => {
      for (const scope of ['run', 'experiment'] as const) {
        const full = run(curves, name, scope);
        const half = run(halves, name, scope);
        if (name === 'asha' && scope === 'run') continue; // asha needs peers
        let compared = 0;
        for (const [i, o] of full.entries()) {
          const h = half[i] as RunOutcome;
          const lastHalf = (halves[i] as Curve).evals.length - 1;
          if (o.stopIndex < lastHalf) {
            expect(h).toEqual(o);
            compared += 1;
          } else {
            expect(h.stopIndex).toBe(lastHalf);
          }
        }
        if (name !== 'threshold') expect(compared, `${name} ${scope}`).toBeGreaterThan(0);
      }
    });
  }

  it('asha: its rungs move with budgetTokens (not with the last eval)', () => {
    // Same evals, half the budget declared: the rungs sit at half the tokens, so decisions differ.
    const small = halves.map((c) => ({ ...c, budgetTokens: (c.evals.at(-1) as EvalPoint).tokens }));
    const a = decisionsOf(run(halves, 'asha', 'experiment'));
    const b = decisionsOf(run(small, 'asha', 'experiment'));
    expect(b).not.toEqual(a);
  });
});

describe('experiment scope with one worker', () => {
  /** A tiny curve: evals every 10 tokens. */
  function curve(id: string, values: readonly number[], group = 'g'): Curve {
    return {
      id,
      task: 't',
      group,
      metric: 'em',
      mode: 'max',
      budgetTokens: values.length * 10,
      features: {},
      evals: values.map((value, i) => ({ step: i + 1, tokens: (i + 1) * 10, value })),
      source: `test:${id}`,
    };
  }

  interface Seen {
    run: string;
    eval: number;
    peers: { id: string; evals: number; finished: boolean }[];
  }

  /** A policy that records every decision's input; stops `stopAt[id]` at that eval index. */
  function spy(log: Seen[], stopAt: Record<string, number> = {}) {
    return (c: Curve): StoppingPolicy => ({
      name: 'spy',
      decide(input: DecideInput): Decision {
        const i = input.evals.length - 1;
        log.push({
          run: c.id,
          eval: i,
          peers: input.peers.map((p) => ({ id: p.id, evals: p.evals.length, finished: p.finished })),
        });
        return stopAt[c.id] === i ? { kind: 'stop', reason: 'patience' } : CONTINUE;
      },
      snapshot: () => ({}),
      restore: () => {},
    });
  }

  it('runs strictly one after another: a run sees only earlier runs, finished, with all their evals', () => {
    const curves = [curve('a', [0.1, 0.2, 0.3]), curve('b', [0.2, 0.1, 0.0, 0.4]), curve('c', [0.5, 0.4])];
    const log: Seen[] = [];
    const outcomes = replay(curves, spy(log, { b: 1 }), { scope: 'experiment', workers: 1 });
    expect(log.map((s) => `${s.run}${s.eval}`)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'c0', 'c1']);
    for (const s of log.filter((x) => x.run === 'a')) expect(s.peers).toEqual([]);
    for (const s of log.filter((x) => x.run === 'b')) {
      expect(s.peers).toEqual([{ id: 'a', evals: 3, finished: true }]);
    }
    for (const s of log.filter((x) => x.run === 'c')) {
      expect(s.peers).toEqual([
        { id: 'a', evals: 3, finished: true },
        { id: 'b', evals: 2, finished: true },
      ]);
    }
    expect(outcomes.map((o) => [o.id, o.stopIndex, o.reason])).toEqual([
      ['a', 2, 'budget'],
      ['b', 1, 'patience'],
      ['c', 1, 'budget'],
    ]);
  });

  it('reports a stop at the last eval of the full budget as budget (stopping there saves nothing)', () => {
    const full = curve('full', [0.1, 0.2, 0.3]);
    for (const scope of ['run', 'experiment'] as const) {
      const [o] = replay([full], spy([], { full: 2 }), { scope, workers: 1 });
      expect(o).toMatchObject({ stopIndex: 2, reason: 'budget' });
    }
  });

  it('keeps the reason of a stop at a last eval below the budget (a file cut short)', () => {
    // budgetTokens 100 but the evals end at 30 tokens: a stop there is the policy's, not the budget's.
    const cut = { ...curve('cut', [0.1, 0.2, 0.3]), budgetTokens: 100 };
    for (const scope of ['run', 'experiment'] as const) {
      const [o] = replay([cut], spy([], { cut: 2 }), { scope, workers: 1 });
      expect(o, scope).toMatchObject({ stopIndex: 2, stopTokens: 30, reason: 'patience' });
    }
  });

  it('never shows a run a peer that started later, even when later runs are much shorter', () => {
    const curves = [
      curve('long', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
      curve('short1', [0.9]),
      curve('short2', [0.8, 0.7]),
      curve('other', [0.3, 0.3], 'h'),
    ];
    const log: Seen[] = [];
    replay(curves, spy(log), { scope: 'experiment', workers: 1 });
    const order = ['long', 'short1', 'short2'];
    for (const s of log) {
      if (s.run === 'other') {
        expect(s.peers).toEqual([]); // another group
        continue;
      }
      for (const p of s.peers) {
        expect(order.indexOf(p.id)).toBeLessThan(order.indexOf(s.run));
        expect(p.finished).toBe(true);
      }
    }
    expect(log.filter((s) => s.run !== 'other').map((s) => s.run)).toEqual([
      ...Array(6).fill('long'),
      'short1',
      'short2',
      'short2',
    ]);
  });
});

describe('scoreStops (the definitions of ../shared/curves/stopeval.py)', () => {
  function curve(id: string, task: string, mode: Mode, points: [number, number][]): Curve {
    return {
      id,
      task,
      group: task,
      metric: 'em',
      mode,
      budgetTokens: (points.at(-1) as [number, number])[0],
      features: {},
      evals: points.map(([tokens, value], i) => ({ step: i + 1, tokens, value })),
      source: `test:${id}`,
    };
  }

  // Task up (mode max):
  //   a1: values .1 .5 .4 .6 at tokens 10..40, stopped at index 1: used 20 of 40, loss .6 − .5 = .1
  //   a2: values .2 .3 .3 at tokens 10..30, full budget: used 30 of 30, loss 0
  //   saved 1 − 50/70 = 2/7; mean loss .05; p95 = sorted[floor(.95·1)] = sorted[0] = 0; share > .005: 1/2
  //   regret: best full (.6) − best deployed (max(.5, .3) = .5) = .1
  // Task down (mode min):
  //   b1: values 2 1 3 .5 at tokens 5..20, stopped at index 2: used 15 of 20, loss 1 − .5 = .5
  //   b2: values 4 3 at tokens 10, 20, stopped at index 0: used 10 of 20, loss 4 − 3 = 1
  //   saved 1 − 25/40 = 3/8; mean loss .75; p95 = sorted[0] = .5; share 1
  //   regret: best deployed min(1, 4) = 1, best full min(.5, 3) = .5: regret .5
  const curves = [
    curve('a1', 'up', 'max', [
      [10, 0.1],
      [20, 0.5],
      [30, 0.4],
      [40, 0.6],
    ]),
    curve('b1', 'down', 'min', [
      [5, 2],
      [10, 1],
      [15, 3],
      [20, 0.5],
    ]),
    curve('a2', 'up', 'max', [
      [10, 0.2],
      [20, 0.3],
      [30, 0.3],
    ]),
    curve('b2', 'down', 'min', [
      [10, 4],
      [20, 3],
    ]),
  ];
  const stops = new Map([
    ['a1', 1],
    ['a2', 2],
    ['b1', 2],
    ['b2', 0],
  ]);

  it('scores each task and group', () => {
    const s = scoreStops(curves, stops);
    const up = s.tasks.find((t) => t.task === 'up');
    const down = s.tasks.find((t) => t.task === 'down');
    expect(up?.runs).toBe(2);
    expect(up?.saved).toBeCloseTo(2 / 7, 12);
    expect(up?.meanLoss).toBeCloseTo(0.05, 12);
    expect(up?.p95Loss).toBeCloseTo(0, 12);
    expect(up?.shareOverTolerance).toBe(0.5);
    expect(down?.runs).toBe(2);
    expect(down?.saved).toBeCloseTo(3 / 8, 12);
    expect(down?.meanLoss).toBeCloseTo(0.75, 12);
    expect(down?.p95Loss).toBeCloseTo(0.5, 12);
    expect(down?.shareOverTolerance).toBe(1);

    const gUp = s.groups.find((g) => g.group === 'up');
    const gDown = s.groups.find((g) => g.group === 'down');
    expect(gUp?.saved).toBeCloseTo(2 / 7, 12);
    expect(gUp?.regret).toBeCloseTo(0.1, 12);
    expect(gDown?.saved).toBeCloseTo(3 / 8, 12);
    expect(gDown?.regret).toBeCloseTo(0.5, 12);
  });

  it('macro-averages over tasks and groups', () => {
    const s = scoreStops(curves, stops);
    expect(s.runSaved).toBeCloseTo((2 / 7 + 3 / 8) / 2, 12);
    expect(s.runMeanLoss).toBeCloseTo((0.05 + 0.75) / 2, 12);
    expect(s.runP95Loss).toBeCloseTo(0.25, 12);
    expect(s.runShareOverTolerance).toBeCloseTo(0.75, 12);
    expect(s.groupSaved).toBeCloseTo((2 / 7 + 3 / 8) / 2, 12);
    expect(s.groupRegret).toBeCloseTo(0.3, 12);
    expect(s.groupMaxRegret).toBeCloseTo(0.5, 12);
  });

  it('takes a missing stop as the full budget and clamps out-of-range ones', () => {
    const full = scoreStops(curves, new Map());
    expect(full.runSaved).toBe(0);
    expect(full.runMeanLoss).toBe(0);
    expect(full.groupRegret).toBe(0);
    const clamped = scoreStops(
      curves,
      new Map([
        ['a1', 99],
        ['a2', -3],
      ]),
    );
    const up = clamped.tasks.find((t) => t.task === 'up');
    // a1 at its last eval (40 of 40, loss 0); a2 at its first (10 of 30, loss .3 − .2 = .1).
    expect(up?.saved).toBeCloseTo(1 - 50 / 70, 12);
    expect(up?.meanLoss).toBeCloseTo(0.05, 12);
  });

  it('counts a loss as over the tolerance only when strictly above it', () => {
    // Losses: up 0 and .6 − .5 (0.0999…98 in floating point); down .5 and 1.
    const s = scoreStops(curves, stops, 0.5);
    expect(s.tasks.find((t) => t.task === 'up')?.shareOverTolerance).toBe(0);
    expect(s.tasks.find((t) => t.task === 'down')?.shareOverTolerance).toBe(0.5);
  });
});

describe('parseCurveFile errors name file:line and the problem', () => {
  const good = (id: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      task: 't',
      mode: 'max',
      budget_tokens: 20,
      evals: [
        { step: 1, tokens: 10, value: 0.1 },
        { step: 2, tokens: 20, value: 0.2 },
      ],
      ...over,
    });

  function errorOf(text: string): CurveFileError {
    try {
      parseCurveFile(text, 'runs.jsonl');
    } catch (err) {
      expect(err).toBeInstanceOf(CurveFileError);
      return err as CurveFileError;
    }
    throw new Error('expected a CurveFileError');
  }

  it('parses a good file, skipping blank lines, with file:line as the source', () => {
    const curves = parseCurveFile(
      `${good('a')}\n\n${good('b', { group: 'g', mode: 'min' })}\n`,
      'runs.jsonl',
    );
    expect(curves.map((c) => [c.id, c.group, c.mode, c.budgetTokens, c.source])).toEqual([
      ['a', 't', 'max', 20, 'runs.jsonl:1'],
      ['b', 'g', 'min', 20, 'runs.jsonl:3'],
    ]);
  });

  it('invalid JSON', () => {
    const e = errorOf(`${good('a')}\n{"id": "b", oops}\n`);
    expect(e.message).toMatch(/^runs\.jsonl:2: not valid JSON/);
  });

  it('a run with no evals', () => {
    expect(errorOf(`${good('a')}\n${good('b', { evals: [] })}`).message).toMatch(
      /^runs\.jsonl:2: .*\bb\b.*no evals/,
    );
    expect(errorOf(good('a', { evals: undefined })).message).toMatch(/^runs\.jsonl:1: .*no evals/);
  });

  it('missing budget_tokens', () => {
    const e = errorOf(`\n${good('a', { budget_tokens: undefined })}`);
    expect(e.message).toMatch(/^runs\.jsonl:2: budget_tokens: expected a positive number/);
    expect(errorOf(good('a', { budget_tokens: 0 })).message).toMatch(/^runs\.jsonl:1: budget_tokens/);
  });

  it('decreasing tokens', () => {
    const e = errorOf(
      good('a', {
        evals: [
          { step: 1, tokens: 10, value: 0.1 },
          { step: 2, tokens: 30, value: 0.2 },
          { step: 3, tokens: 20, value: 0.3 },
        ],
      }),
    );
    expect(e.message).toMatch(/^runs\.jsonl:1: evals\[2\]\.tokens: tokens must not decrease/);
  });

  it('duplicate ids, naming both lines', () => {
    const e = errorOf(`${good('a')}\n${good('b')}\n${good('a')}`);
    expect(e.message).toMatch(/^runs\.jsonl:3: duplicate run id a \(first at runs\.jsonl:1\)/);
  });

  it('bad mode', () => {
    const e = errorOf(good('a', { mode: 'maximise' }));
    expect(e.message).toMatch(/^runs\.jsonl:1: mode: expected "max" or "min", got "maximise"/);
  });

  it('a missing id or task, and a non-numeric value', () => {
    expect(errorOf(good('a', { id: undefined })).message).toMatch(
      /^runs\.jsonl:1: id: expected a non-empty string/,
    );
    expect(errorOf(good('a', { task: '' })).message).toMatch(/^runs\.jsonl:1: task:/);
    expect(errorOf(good('a', { evals: [{ step: 1, tokens: 10, value: 'x' }] })).message).toMatch(
      /^runs\.jsonl:1: evals\[0\]\.value: expected a number/,
    );
  });
});
