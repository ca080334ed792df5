import {
  createPolicy,
  type Decision,
  type EvalPoint,
  type PolicyState,
  type StopModel,
  type StoppingPolicy,
} from '@curfew/policies';
import { CheckpointError } from '../checkpoint/checkpoint-files';
import type { Decider, EvalReport } from './decider';
import type { TrainRun } from './types';

export interface LocalDeciderOptions {
  /** What history taught, for `meta` and `auto` (none: `auto` falls back to its threshold rule). */
  stopModel?: StopModel | null;
}

const FORMAT = 'curfew-local-decider/1';

/**
 * Decides in process with the run's own policy, alone (no peers): `curfew train` and unit tests.
 * Its policy state and the points it has seen go into the run's checkpoint, so a resumed run
 * decides as the uninterrupted one would. A non-finite metric stops the run (diverged).
 */
class LocalDecider implements Decider {
  private points: EvalPoint[] = [];

  constructor(
    private readonly policy: StoppingPolicy,
    private readonly monitor: string,
  ) {}

  decide(report: EvalReport): Decision {
    const { decision, point } = this.answer(report);
    if (point) this.points.push(point);
    return decision;
  }

  peek(report: EvalReport): Decision {
    const saved = this.policy.snapshot();
    try {
      return this.answer(report).decision;
    } finally {
      this.policy.restore(saved);
    }
  }

  snapshot(): PolicyState {
    return { format: FORMAT, policy: this.policy.snapshot(), points: this.points };
  }

  restore(state: PolicyState): void {
    if (state.format !== FORMAT || !Array.isArray(state.points)) {
      throw new CheckpointError(
        'checkpoint written by an older curfew (its policy state has another format): train the run afresh',
      );
    }
    this.policy.restore(state.policy as PolicyState);
    this.points = state.points as EvalPoint[];
  }

  private answer(report: EvalReport): { decision: Decision; point: EvalPoint | null } {
    const metrics: Record<string, number> = {};
    for (const [name, value] of Object.entries(report.metrics)) if (value !== null) metrics[name] = value;
    const broken = Object.entries(metrics).find(([, value]) => !Number.isFinite(value));
    if (broken) {
      const detail = `${broken[0]} is ${broken[1]}`;
      return { decision: { kind: 'stop', reason: 'diverged', detail }, point: null };
    }
    const value = metrics[this.monitor];
    if (value === undefined) {
      throw new Error(
        `policy.monitor: the trainer reports ${Object.keys(metrics).join(', ')}, not ${this.monitor}`,
      );
    }
    const point = { step: report.step, tokens: report.tokens, value, metrics };
    return { decision: this.policy.decide({ evals: [...this.points, point], peers: [] }), point };
  }
}

/** The local decider of a run, with its spec's policy. */
export function createLocalDecider(run: TrainRun, options: LocalDeciderOptions = {}): Decider {
  const mode = run.policy.name === 'none' ? 'max' : run.policy.mode;
  const policy = createPolicy(run.policy, {
    run: { id: run.runId, budgetTokens: run.budgetTokens, mode, features: run.features ?? {} },
    model: options.stopModel ?? null,
  });
  return new LocalDecider(policy, run.policy.name === 'none' ? 'em' : run.policy.monitor);
}
