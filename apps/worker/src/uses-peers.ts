import type { PolicyName } from '@curfew/policies';

/** Policies that compare a run with the other runs of its experiment. */
export function usesPeers(name: PolicyName): boolean {
  return name === 'median' || name === 'asha' || name === 'auto';
}
