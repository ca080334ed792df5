import { PolicyStateError } from '../errors';
import { checkMode, checkNumber, stateObject } from '../option-checks';
import {
  assertNever,
  bestIndex,
  CONTINUE,
  type DecideInput,
  type Decision,
  gain,
  type Mode,
  type PolicyState,
  type StoppingPolicy,
  type StopReason,
} from '../types';

export interface LrDropBeforeStopOptions {
  /** LR multiplier applied instead of the first stop, in (0, 1). @defaultValue 0.1 */
  factor?: number | undefined;
  /** Evals the run gets after the drop to improve its best value. Integer >= 1. @defaultValue 3 */
  graceEvals?: number | undefined;
  mode: Mode;
}

type Phase = 'armed' | 'grace' | 'spent';

interface DropState {
  phase: Phase;
  /** Grace evals left (phase grace). */
  graceLeft: number;
  /** Best value when the LR was dropped (phase grace); the grace must beat it. */
  bestAtDrop: number | null;
  /** The inner policy's stop, replayed if the grace brings nothing. */
  stop: { reason: StopReason; detail: string | null } | null;
}

export const LR_DROP_REASON = 'lr-drop-before-stop';

/**
 * "Drop the LR before you stop". The first time `inner` says stop (for any reason but
 * `budget`), answer `{ kind: 'adjust', lrFactor: factor, reason: 'lr-drop-before-stop' }`
 * instead and give the run `graceEvals` more evals:
 * - if one of them beats the best value at the drop (any strict gain), the run continues and
 *   `inner` decides again from the next eval on;
 * - if none does, the last grace eval stops with the inner policy's reason and detail.
 * At most one drop per run. `inner` sees every eval, grace included (so a stateful inner policy
 * such as patience counts them); during the grace its stops are held back while its other
 * decisions pass through. Snapshot/restore carries the inner policy's state.
 */
export function withLrDropBeforeStop(
  inner: StoppingPolicy,
  options: LrDropBeforeStopOptions,
): StoppingPolicy {
  const factor = checkNumber('factor', options.factor ?? 0.1, { gt: 0, lt: 1 });
  const graceEvals = checkNumber('graceEvals', options.graceEvals ?? 3, { min: 1, integer: true });
  const mode = checkMode('mode', options.mode);
  const initial: DropState = { phase: 'armed', graceLeft: 0, bestAtDrop: null, stop: null };
  let state: DropState = initial;

  const bestOf = (input: DecideInput): number | null => {
    if (input.evals.length === 0) return null;
    const v = input.evals[bestIndex(input.evals, mode)]?.value;
    return v !== undefined && Number.isFinite(v) ? v : null;
  };

  return {
    name: `${inner.name}+lr-drop`,
    decide(input: DecideInput): Decision {
      const decision = inner.decide(input);
      switch (state.phase) {
        case 'armed': {
          if (decision.kind !== 'stop' || decision.reason === 'budget') return decision;
          state = {
            phase: 'grace',
            graceLeft: graceEvals,
            bestAtDrop: bestOf(input),
            stop: { reason: decision.reason, detail: decision.detail ?? null },
          };
          return { kind: 'adjust', lrFactor: factor, reason: LR_DROP_REASON };
        }
        case 'grace': {
          const last = input.evals[input.evals.length - 1];
          const improved =
            last !== undefined &&
            Number.isFinite(last.value) &&
            (state.bestAtDrop === null || gain(last.value, state.bestAtDrop, mode) > 0);
          if (improved) {
            state = { ...initial, phase: 'spent' };
            return decision.kind === 'stop' ? CONTINUE : decision;
          }
          const graceLeft = state.graceLeft - 1;
          if (graceLeft > 0) {
            state = { ...state, graceLeft };
            return decision.kind === 'stop' ? CONTINUE : decision;
          }
          const stop = state.stop;
          state = { ...initial, phase: 'spent' };
          if (!stop) return decision;
          const why = `no improvement in ${graceEvals} eval${graceEvals === 1 ? '' : 's'} after an lr drop (x${factor})`;
          return { kind: 'stop', reason: stop.reason, detail: stop.detail ? `${stop.detail}; ${why}` : why };
        }
        case 'spent':
          return decision;
        default:
          return assertNever(state.phase, 'lr-drop-before-stop phase');
      }
    },
    snapshot(): PolicyState {
      return {
        phase: state.phase,
        graceLeft: state.graceLeft,
        bestAtDrop: state.bestAtDrop,
        stop: state.stop ? { ...state.stop } : null,
        inner: inner.snapshot(),
      };
    },
    restore(saved: PolicyState): void {
      const what = 'lr-drop-before-stop';
      const s = stateObject(saved, what);
      const phase = s.phase;
      if (phase !== 'armed' && phase !== 'grace' && phase !== 'spent') {
        throw new PolicyStateError(`${what}: cannot restore state, phase is ${JSON.stringify(phase)}`);
      }
      const graceLeft = s.graceLeft;
      const bestAtDrop = s.bestAtDrop;
      if (typeof graceLeft !== 'number' || !(bestAtDrop === null || typeof bestAtDrop === 'number')) {
        throw new PolicyStateError(`${what}: cannot restore state, bad graceLeft or bestAtDrop`);
      }
      let stop: DropState['stop'] = null;
      if (s.stop !== null) {
        const st = stateObject(s.stop, what);
        if (typeof st.reason !== 'string' || !(st.detail === null || typeof st.detail === 'string')) {
          throw new PolicyStateError(`${what}: cannot restore state, bad stop`);
        }
        stop = { reason: st.reason as StopReason, detail: st.detail };
      }
      inner.restore(stateObject(s.inner, what));
      state = { phase, graceLeft, bestAtDrop, stop };
    },
  };
}
