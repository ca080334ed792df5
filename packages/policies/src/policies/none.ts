import type { NoneOptions } from '../options';
import { CONTINUE, type Decision, type PolicyState, type RunInfo, type StoppingPolicy } from '../types';

/**
 * The `none` policy: never stops a run; the trainer ends it at its budget. The reference every
 * other policy's tokens saved and EM loss are measured against.
 */
export class NonePolicy implements StoppingPolicy {
  readonly name = 'none';

  decide(): Decision {
    return CONTINUE;
  }

  snapshot(): PolicyState {
    return {};
  }

  restore(_state: PolicyState): void {}
}

export function createNonePolicy(_options: NoneOptions, _run: RunInfo): StoppingPolicy {
  return new NonePolicy();
}
