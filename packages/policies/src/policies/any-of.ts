import type { DecideInput, Decision, PolicyState, StoppingPolicy } from '../types';

/**
 * Several policies asked after every eval (each keeps its own state up to date); the first that
 * says stop decides, otherwise the first adjustment, otherwise continue.
 */
export function anyOf(name: string, parts: readonly StoppingPolicy[]): StoppingPolicy {
  return {
    name,
    decide(input: DecideInput): Decision {
      const decisions = parts.map((p) => p.decide(input));
      return (
        decisions.find((d) => d.kind === 'stop') ??
        decisions.find((d) => d.kind === 'adjust') ?? { kind: 'continue' }
      );
    },
    snapshot: (): PolicyState => ({ parts: parts.map((p) => p.snapshot()) }),
    restore(state: PolicyState) {
      const states = state.parts;
      if (!Array.isArray(states) || states.length !== parts.length) {
        throw new Error(
          `${name}: snapshot holds ${Array.isArray(states) ? states.length : 'no'} part states, expected ${parts.length}`,
        );
      }
      parts.forEach((p, i) => {
        p.restore(states[i] as PolicyState);
      });
    },
  };
}
