import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { devCurvesFile } from '../test-support';
import type { Mode } from '../types';
import type { Curve } from './curve';
import { parseCurveFile } from './curve-format';
import { historyModels, replayPolicy } from './replay-policy';

const QUICKTUNE = devCurvesFile('quicktune.jsonl');

/** Up to `runsPerTask` runs of each task of a real curve file (read in the test, never copied). */
function byTask(file: string, runsPerTask: number): Map<string, Curve[]> {
  const perTask = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const task = (JSON.parse(line) as { task: string }).task;
    const kept = perTask.get(task) ?? [];
    if (kept.length < runsPerTask) kept.push(line);
    perTask.set(task, kept);
  }
  return new Map([...perTask].map(([task, lines]) => [task, parseCurveFile(lines.join('\n'), file)]));
}

const common = { monitor: 'em', mode: 'max' as Mode, tolerance: 0.005, lr_drop_before_stop: false };

describe('replayPolicy with history', () => {
  const tasks = byTask(QUICKTUNE, 40);
  const [t0, t1, t2, t3, unseen] = [...tasks.keys()] as [string, string, string, string, string];
  const history = [t0, t1, t2, t3].flatMap((t) => tasks.get(t) as Curve[]);
  const others = tasks.get(unseen) as Curve[];
  const modelFor = historyModels(history);

  it('uses 4 history tasks and curves of a fifth', () => {
    expect(history).toHaveLength(160);
    expect(new Set(history.map((c) => c.task)).size).toBe(4);
    expect(others.length).toBeGreaterThan(10);
    expect(history.some((c) => c.task === unseen)).toBe(false);
  });

  it('gives an unseen task the model of all of history', () => {
    const model = modelFor(unseen);
    expect(model).not.toBeNull();
    expect([...(model?.history.tasks ?? [])].sort()).toEqual([t0, t1, t2, t3].sort());
    expect(modelFor('another/unseen')).toBe(model);
  });

  it('judges a task of history by a model that never saw it', () => {
    for (const task of [t0, t1, t2, t3]) {
      const model = modelFor(task);
      expect(model).not.toBeNull();
      expect(model?.history.tasks).not.toContain(task);
      expect(model?.history.tasks.length).toBeGreaterThan(0);
    }
  });

  it('gives no model without history', () => {
    expect(historyModels([])(unseen)).toBeNull();
  });

  it('gives no model where what is left of history cannot be validated on tasks it has not seen', () => {
    // Two tasks: leaving out one task's fold leaves a single fold, so nothing to calibrate on.
    const two = historyModels([t0, t1].flatMap((t) => tasks.get(t) as Curve[]));
    expect(two(t0)).toBeNull();
    expect(two(t1)).toBeNull();
    expect(two(unseen)?.calibration.length).toBeGreaterThan(0);
  });

  for (const name of ['meta', 'auto'] as const) {
    for (const scope of ['run', 'experiment'] as const) {
      it(`${name} (${scope} scope) returns one outcome per run, stops within range`, () => {
        const result = replayPolicy({
          curves: others,
          modelFor,
          options: { ...common, name },
          scope,
          workers: 3,
          tolerance: 0.005,
        });
        expect(result.outcomes.map((o) => o.id)).toEqual(others.map((c) => c.id));
        for (const [i, o] of result.outcomes.entries()) {
          const c = others[i] as Curve;
          expect(Number.isInteger(o.stopIndex)).toBe(true);
          expect(o.stopIndex).toBeGreaterThanOrEqual(0);
          expect(o.stopIndex).toBeLessThan(c.evals.length);
          expect(o.stopTokens).toBe(c.evals[o.stopIndex]?.tokens);
          expect(o.stopStep).toBe(c.evals[o.stopIndex]?.step);
        }
        expect(result.score.tasks.map((t) => t.task)).toEqual([unseen]);
        expect(result.score.runSaved).toBeGreaterThanOrEqual(0);
        expect(result.score.runSaved).toBeLessThan(1);
      });
    }
  }

  it('meta replays history against itself, leave-tasks-out', () => {
    const seen: string[][] = [];
    const result = replayPolicy({
      curves: history,
      modelFor: (task) => {
        const model = modelFor(task);
        seen.push([task, ...(model?.history.tasks ?? [])]);
        return model;
      },
      options: { ...common, name: 'meta' },
      scope: 'run',
      workers: 8,
      tolerance: 0.005,
    });
    expect(result.outcomes).toHaveLength(history.length);
    expect(seen).toHaveLength(history.length);
    for (const [task, ...trained] of seen) expect(trained).not.toContain(task);
  });
});
