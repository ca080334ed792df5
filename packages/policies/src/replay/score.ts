import { gain } from '../types';
import type { Curve } from './curve';

/** Where a run stopped: the index of the last eval it used. */
export type StopIndex = ReadonlyMap<string, number>;

export interface TaskScore {
  task: string;
  runs: number;
  /** 1 − Σ tokens used / Σ full tokens over the task's runs. */
  saved: number;
  meanLoss: number;
  p95Loss: number;
  /** Share of runs losing more than the tolerance. */
  shareOverTolerance: number;
}

export interface GroupScore {
  group: string;
  runs: number;
  saved: number;
  /** Best over the group's full runs − best over its stopped runs. */
  regret: number;
}

export interface Score {
  tasks: TaskScore[];
  groups: GroupScore[];
  /** Macro averages over tasks (and groups), as ../shared/curves/stopeval.py computes them. */
  runSaved: number;
  runMeanLoss: number;
  runP95Loss: number;
  runShareOverTolerance: number;
  groupSaved: number;
  groupRegret: number;
  groupMaxRegret: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

function bestOf(values: number[], mode: Curve['mode']): number {
  return values.reduce((b, v) => (gain(v, b, mode) > 0 ? v : b));
}

/**
 * Scores stop decisions exactly as ../shared/curves/stopeval.py does: per run, tokens saved =
 * 1 − tokens[k] / tokens[last] and loss = best(all) − best(0..k); per group, regret = best of the
 * full runs − best of the stopped runs; aggregates are macro averages over tasks.
 */
export function scoreStops(curves: readonly Curve[], stops: StopIndex, tolerance = 0.005): Score {
  const perTask = new Map<string, { used: number; full: number; loss: number }[]>();
  const perGroup = new Map<
    string,
    { used: number; full: number; fullBest: number; deployed: number; mode: Curve['mode'] }[]
  >();
  for (const c of curves) {
    const last = c.evals.length - 1;
    const k = Math.max(0, Math.min(stops.get(c.id) ?? last, last));
    const values = c.evals.map((e) => e.value);
    const fullBest = bestOf(values, c.mode);
    const deployed = bestOf(values.slice(0, k + 1), c.mode);
    const used = c.evals[k]?.tokens ?? 0;
    const full = c.evals[last]?.tokens ?? 0;
    const t = perTask.get(c.task) ?? [];
    t.push({ used, full, loss: gain(fullBest, deployed, c.mode) });
    perTask.set(c.task, t);
    const g = perGroup.get(c.group) ?? [];
    g.push({ used, full, fullBest, deployed, mode: c.mode });
    perGroup.set(c.group, g);
  }
  const tasks: TaskScore[] = [...perTask].map(([task, xs]) => {
    const losses = xs.map((x) => x.loss).sort((a, b) => a - b);
    return {
      task,
      runs: xs.length,
      saved: 1 - xs.reduce((s, x) => s + x.used, 0) / xs.reduce((s, x) => s + x.full, 0),
      meanLoss: mean(losses),
      p95Loss: losses[Math.floor(0.95 * (losses.length - 1))] ?? 0,
      shareOverTolerance: losses.filter((l) => l > tolerance).length / losses.length,
    };
  });
  const groups: GroupScore[] = [...perGroup].map(([group, xs]) => {
    const mode = xs[0]?.mode ?? 'max';
    return {
      group,
      runs: xs.length,
      saved: 1 - xs.reduce((s, x) => s + x.used, 0) / xs.reduce((s, x) => s + x.full, 0),
      regret: gain(
        bestOf(
          xs.map((x) => x.fullBest),
          mode,
        ),
        bestOf(
          xs.map((x) => x.deployed),
          mode,
        ),
        mode,
      ),
    };
  });
  return {
    tasks,
    groups,
    runSaved: mean(tasks.map((t) => t.saved)),
    runMeanLoss: mean(tasks.map((t) => t.meanLoss)),
    runP95Loss: mean(tasks.map((t) => t.p95Loss)),
    runShareOverTolerance: mean(tasks.map((t) => t.shareOverTolerance)),
    groupSaved: mean(groups.map((g) => g.saved)),
    groupRegret: mean(groups.map((g) => g.regret)),
    groupMaxRegret: Math.max(0, ...groups.map((g) => g.regret)),
  };
}
