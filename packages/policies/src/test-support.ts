// Helpers shared by the policies' tests (not exported from the package).
import type { Decision, EvalPoint, PeerRun, StoppingPolicy } from './types';

/** Feeds `evals` one at a time, as a trainer would; the first stop and where it came, or null. */
export function firstStop(
  policy: StoppingPolicy,
  evals: readonly EvalPoint[],
  peers: readonly PeerRun[] = [],
): { index: number; decision: Decision } | null {
  for (let i = 0; i < evals.length; i++) {
    const decision = policy.decide({ evals: evals.slice(0, i + 1), peers });
    if (decision.kind === 'stop') return { index: i, decision };
  }
  return null;
}
