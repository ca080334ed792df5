import {
  assertNever,
  type Decision,
  type EvalPoint,
  type PeerRun,
  type StoppingPolicy,
  type StopReason,
} from '../types';
import type { Curve } from './curve';

/** Builds the policy for one run. Called once per run, in file order. */
export type PolicyFactory = (curve: Curve) => StoppingPolicy;

export type ReplayScope = 'run' | 'experiment';

export interface ReplayOptions {
  /**
   * `run`: every run is judged alone, from its own evals. `experiment`: the runs of a group
   * compete on `workers` workers taking runs in file order, with tokens as the clock; a decision
   * sees only the other runs' evals that happened before it.
   */
  scope: ReplayScope;
  /** Workers of the simulated cluster (experiment scope). @defaultValue 8 */
  workers?: number;
}

export interface RunOutcome {
  id: string;
  /** Index of the last eval the run used. */
  stopIndex: number;
  stopStep: number;
  stopTokens: number;
  reason: StopReason;
  /** LR / regularisation adjustments the policy asked for (replay cannot apply them). */
  adjustments: number;
}

function outcome(curve: Curve, index: number, reason: StopReason, adjustments: number): RunOutcome {
  const e = curve.evals[index] as EvalPoint;
  return { id: curve.id, stopIndex: index, stopStep: e.step, stopTokens: e.tokens, reason, adjustments };
}

/** A stop at the last eval keeps its reason unless that eval is the full budget. */
function stopsEarly(curve: Curve, index: number): boolean {
  return index < curve.evals.length - 1 || (curve.evals[index]?.tokens ?? 0) < curve.budgetTokens;
}

/** Applies one decision; returns the stop reason, or null to go on. */
function apply(decision: Decision, counter: { adjustments: number }): StopReason | null {
  switch (decision.kind) {
    case 'continue':
      return null;
    case 'adjust':
      counter.adjustments += 1;
      return null;
    case 'stop':
      return decision.reason;
    default:
      return assertNever(decision, 'decision');
  }
}

function replayAlone(curve: Curve, factory: PolicyFactory): RunOutcome {
  const policy = factory(curve);
  const counter = { adjustments: 0 };
  const last = curve.evals.length - 1;
  for (let i = 0; i <= last; i++) {
    const reason = apply(policy.decide({ evals: curve.evals.slice(0, i + 1), peers: [] }), counter);
    if (reason !== null && stopsEarly(curve, i)) return outcome(curve, i, reason, counter.adjustments);
  }
  return outcome(curve, last, 'budget', counter.adjustments);
}

interface Active {
  curve: Curve;
  policy: StoppingPolicy;
  peer: PeerRun & { evals: EvalPoint[] };
  startTokens: number;
  next: number;
  counter: { adjustments: number };
}

/** One group on `workers` workers, tokens as the clock. */
function replayGroup(curves: readonly Curve[], factory: PolicyFactory, workers: number): RunOutcome[] {
  const outcomes = new Map<string, RunOutcome>();
  const peers: (PeerRun & { evals: EvalPoint[] })[] = [];
  const active: Active[] = [];
  let queued = 0;
  const start = (at: number) => {
    const curve = curves[queued++];
    if (!curve) return;
    const peer = {
      id: curve.id,
      budgetTokens: curve.budgetTokens,
      features: curve.features,
      evals: [] as EvalPoint[],
      finished: false,
    };
    peers.push(peer);
    active.push({
      curve,
      policy: factory(curve),
      peer,
      startTokens: at,
      next: 0,
      counter: { adjustments: 0 },
    });
  };
  for (let w = 0; w < workers; w++) start(0);
  while (active.length > 0) {
    // The next eval on the clock; ties go to the run that started first (file order).
    let k = 0;
    let bestTime = Number.POSITIVE_INFINITY;
    for (let j = 0; j < active.length; j++) {
      const a = active[j] as Active;
      const time = a.startTokens + (a.curve.evals[a.next] as EvalPoint).tokens;
      if (time < bestTime) {
        bestTime = time;
        k = j;
      }
    }
    const a = active[k] as Active;
    const i = a.next;
    const evals = a.curve.evals.slice(0, i + 1);
    const visible = peers.filter((p) => p !== a.peer);
    const reason = apply(a.policy.decide({ evals, peers: visible }), a.counter);
    a.peer.evals.push(a.curve.evals[i] as EvalPoint);
    const last = a.curve.evals.length - 1;
    if ((reason !== null && i < last) || i === last) {
      outcomes.set(
        a.curve.id,
        outcome(
          a.curve,
          i,
          reason !== null && stopsEarly(a.curve, i) ? reason : 'budget',
          a.counter.adjustments,
        ),
      );
      a.peer.finished = true;
      active.splice(k, 1);
      start(bestTime);
    } else {
      a.next = i + 1;
    }
  }
  return curves.map((c) => outcomes.get(c.id) as RunOutcome);
}

/** Replays a policy over recorded curves; outcomes come back in the order of `curves`. */
export function replay(
  curves: readonly Curve[],
  factory: PolicyFactory,
  options: ReplayOptions,
): RunOutcome[] {
  if (options.scope === 'run') return curves.map((c) => replayAlone(c, factory));
  const workers = options.workers ?? 8;
  const groups = new Map<string, Curve[]>();
  for (const c of curves) {
    const group = groups.get(c.group);
    if (group) group.push(c);
    else groups.set(c.group, [c]);
  }
  const byId = new Map<string, RunOutcome>();
  for (const group of groups.values())
    for (const o of replayGroup(group, factory, workers)) byId.set(o.id, o);
  return curves.map((c) => byId.get(c.id) as RunOutcome);
}
