import { PolicyOptionsError, PolicyStateError } from '../errors';
import { checkMode, checkNumber, showValue, stateNumber, stateObject } from '../option-checks';
import type { EvalPoint, Mode, PolicyState } from '../types';
import { type ConstantScheduleOptions, constantLrAt } from './constant';
import { type CosineScheduleOptions, checkCosineSchedule, cosineLrAt } from './cosine';
import { checkExponentialSchedule, type ExponentialScheduleOptions, exponentialLrAt } from './exponential';
import { createReduceOnPlateau, type ReduceOnPlateauOptions } from './reduce-on-plateau';
import { checkStepSchedule, type StepScheduleOptions, stepLrAt } from './step';

/** The spec's `lr_schedule:` section (snake_case, as parsed); absent means `constant`. */
export type LrScheduleOptions =
  | ConstantScheduleOptions
  | StepScheduleOptions
  | ExponentialScheduleOptions
  | CosineScheduleOptions
  | ReduceOnPlateauOptions;

export type LrScheduleName = LrScheduleOptions['name'];

export interface LrScheduleContext {
  /** The run's configured learning rate. */
  baseLr: number;
  /** The run's full budget in tokens. */
  budgetTokens: number;
  /** Direction of the monitored value (used by reduce-on-plateau). */
  mode: Mode;
}

/** One object the trainer asks for the LR; its state is plain JSON. */
export interface LrSchedule {
  readonly name: LrScheduleName;
  /** The LR to train with at `tokens` (for reduce-on-plateau: the current LR, whatever the tokens). */
  lrAt(tokens: number): number;
  /** Feeds an eval; returns the LR to use from now on. */
  onEval(evalPoint: EvalPoint): number;
  /**
   * Multiplies every LR this schedule returns from now on (an `adjust` decision's `lrFactor`,
   * e.g. the drop before stopping), so the trainer keeps asking one object.
   */
  scale(factor: number): void;
  snapshot(): PolicyState;
  restore(state: PolicyState): void;
}

/**
 * Builds the run's LR schedule from its spec section, validating the options up front
 * (PolicyOptionsError names the option and the value).
 */
export function createLrSchedule(
  spec: LrScheduleOptions | undefined,
  context: LrScheduleContext,
): LrSchedule {
  const baseLr = checkNumber('baseLr', context.baseLr, { gt: 0 });
  const budgetTokens = checkNumber('budgetTokens', context.budgetTokens, { gt: 0 });
  const mode = checkMode('mode', context.mode);
  const options: LrScheduleOptions = spec ?? { name: 'constant' };
  const name = options.name;

  if (name === 'reduce-on-plateau') {
    const plateau = createReduceOnPlateau(options as ReduceOnPlateauOptions, { baseLr, mode });
    return {
      name,
      lrAt: () => plateau.lr,
      onEval: (e) => plateau.onEval(e.value).lr,
      scale: (factor) => plateau.scale(factor),
      snapshot: () => ({ name, plateau: plateau.snapshot() }),
      restore: (state) => {
        const s = stateObject(state, 'lr schedule');
        plateau.restore(stateObject(s.plateau, 'lr schedule'));
      },
    };
  }

  const curve = tokenCurve(options, { baseLr, budgetTokens });
  let multiplier = 1;
  const lrAt = (tokens: number): number => multiplier * curve({ tokens, budgetTokens, baseLr });
  return {
    name,
    lrAt,
    onEval: (e) => lrAt(e.tokens),
    scale: (factor) => {
      multiplier *= checkNumber('lrFactor', factor, { gt: 0 });
    },
    snapshot: () => ({ name, multiplier }),
    restore: (state) => {
      const saved = stateNumber(stateObject(state, 'lr schedule'), 'multiplier', 'lr schedule');
      if (!(saved > 0) || !Number.isFinite(saved)) {
        throw new PolicyStateError(`lr schedule: cannot restore state, multiplier is ${saved}`);
      }
      multiplier = saved;
    },
  };
}

type TokenCurve = (at: { tokens: number; budgetTokens: number; baseLr: number }) => number;

function tokenCurve(
  options: Exclude<LrScheduleOptions, ReduceOnPlateauOptions>,
  run: { baseLr: number; budgetTokens: number },
): TokenCurve {
  switch (options.name) {
    case 'constant':
      return constantLrAt;
    case 'step': {
      const o = checkStepSchedule(options);
      return (at) => stepLrAt(o, at);
    }
    case 'exponential': {
      const o = checkExponentialSchedule(options);
      return (at) => exponentialLrAt(o, at);
    }
    case 'cosine': {
      const o = checkCosineSchedule(options, run);
      return (at) => cosineLrAt(o, at);
    }
    default: {
      // Exhaustive for typed callers; a spec that skipped validation still gets a named error.
      const unexpected: never = options;
      throw new PolicyOptionsError(
        `lr_schedule.name: expected one of constant, step, exponential, cosine, reduce-on-plateau, got ${showValue((unexpected as { name?: unknown }).name)}`,
      );
    }
  }
}
