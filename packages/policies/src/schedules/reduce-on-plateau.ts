import { PolicyStateError } from '../errors';
import { checkMode, checkNumber, stateNullableNumber, stateNumber, stateObject } from '../option-checks';
import type { Mode, PolicyState } from '../types';

/** `lr_schedule: { name: reduce-on-plateau, … }`; defaults are the spec's, not Keras's. */
export interface ReduceOnPlateauOptions {
  name: 'reduce-on-plateau';
  /** LR multiplier on a plateau, in (0, 1). @defaultValue 0.5 */
  factor?: number | undefined;
  /** Evals without improvement before reducing (Keras `patience`). @defaultValue 2 */
  patience?: number | undefined;
  /** Evals to wait after a reduction before counting again (Keras `cooldown`). @defaultValue 0 */
  cooldown?: number | undefined;
  /** The LR is never reduced below this (Keras `min_lr`). @defaultValue 0 */
  min_lr?: number | undefined;
  /** Smallest change that counts as improvement (Keras `min_delta`). @defaultValue 0 */
  min_delta?: number | undefined;
  /** Direction of the monitored value; defaults to the run's mode. */
  mode?: Mode | undefined;
}

export type CheckedReduceOnPlateauOptions = Required<ReduceOnPlateauOptions>;

export function checkReduceOnPlateau(
  options: ReduceOnPlateauOptions,
  defaultMode: Mode,
): CheckedReduceOnPlateauOptions {
  return {
    name: 'reduce-on-plateau',
    factor: checkNumber('lr_schedule.factor', options.factor ?? 0.5, { gt: 0, lt: 1 }),
    patience: checkNumber('lr_schedule.patience', options.patience ?? 2, { min: 0, integer: true }),
    cooldown: checkNumber('lr_schedule.cooldown', options.cooldown ?? 0, { min: 0, integer: true }),
    min_lr: checkNumber('lr_schedule.min_lr', options.min_lr ?? 0, { min: 0 }),
    min_delta: checkNumber('lr_schedule.min_delta', options.min_delta ?? 0, { min: 0 }),
    mode: checkMode('lr_schedule.mode', options.mode ?? defaultMode),
  };
}

/** Keras ReduceLROnPlateau's counters; `best` is null before the first eval (Keras: ±inf). */
export interface ReduceOnPlateauState {
  lr: number;
  best: number | null;
  wait: number;
  cooldownCounter: number;
}

export interface PlateauStep {
  /** The LR to use from now on. */
  lr: number;
  /** True when this eval reduced the LR. */
  reduced: boolean;
}

export interface ReduceOnPlateau {
  /** Feeds one eval's monitored value (Keras `on_epoch_end`). */
  onEval(value: number): PlateauStep;
  /** The current LR. */
  readonly lr: number;
  /** Multiplies the current LR (an outside adjustment, as if the optimizer's LR had been set). */
  scale(factor: number): void;
  snapshot(): ReduceOnPlateauState & PolicyState;
  restore(state: PolicyState): void;
}

/**
 * Keras `ReduceLROnPlateau` (keras/src/callbacks/reduce_lr_on_plateau.py), eval by eval:
 * 1. in cooldown: `cooldownCounter -= 1`, `wait = 0`;
 * 2. improvement (`value < best - min_delta` for min, `value > best + min_delta` for max):
 *    `best = value`, `wait = 0`;
 * 3. otherwise, unless still in cooldown: `wait += 1`; when `wait >= patience` and
 *    `lr > min_lr`: `lr = max(lr × factor, min_lr)`, `cooldownCounter = cooldown`, `wait = 0`.
 *    (At min_lr `wait` keeps growing, as in Keras.)
 * A NaN value never improves, as with numpy comparisons; neither does ±Infinity (a diverged
 * run), which keeps `best` finite and the state plain JSON. Keras compares `lr` with
 * `float32(min_lr)` because its LR lives in a float32 variable; here both are float64, so the
 * plain comparison is the same rule.
 */
export function createReduceOnPlateau(
  options: ReduceOnPlateauOptions,
  run: { baseLr: number; mode: Mode },
): ReduceOnPlateau {
  const o = checkReduceOnPlateau(options, run.mode);
  const baseLr = checkNumber('baseLr', run.baseLr, { gt: 0 });
  let state: ReduceOnPlateauState = { lr: baseLr, best: null, wait: 0, cooldownCounter: 0 };

  const improves = (value: number, best: number | null): boolean => {
    if (!Number.isFinite(value)) return false;
    if (best === null) return true;
    return o.mode === 'min' ? value < best - o.min_delta : value > best + o.min_delta;
  };

  return {
    get lr() {
      return state.lr;
    },
    onEval(value: number): PlateauStep {
      let { lr, best, wait, cooldownCounter } = state;
      let reduced = false;
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        wait = 0;
      }
      if (improves(value, best)) {
        best = value;
        wait = 0;
      } else if (!(cooldownCounter > 0)) {
        wait += 1;
        if (wait >= o.patience && lr > o.min_lr) {
          lr = Math.max(lr * o.factor, o.min_lr);
          reduced = true;
          cooldownCounter = o.cooldown;
          wait = 0;
        }
      }
      state = { lr, best, wait, cooldownCounter };
      return { lr, reduced };
    },
    scale(factor: number): void {
      checkNumber('lrFactor', factor, { gt: 0 });
      state = { ...state, lr: state.lr * factor };
    },
    snapshot() {
      return { ...state };
    },
    restore(saved: PolicyState): void {
      const what = 'reduce-on-plateau';
      const s = stateObject(saved, what);
      const next: ReduceOnPlateauState = {
        lr: stateNumber(s, 'lr', what),
        best: stateNullableNumber(s, 'best', what),
        wait: stateNumber(s, 'wait', what),
        cooldownCounter: stateNumber(s, 'cooldownCounter', what),
      };
      if (!(next.lr > 0)) throw new PolicyStateError(`${what}: cannot restore state, lr is ${next.lr}`);
      state = next;
    },
  };
}
