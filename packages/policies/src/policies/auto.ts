import { PolicyStateError } from '../errors';
import {
  type AutoRules,
  autoRules,
  DEFAULT_KIND_MATCHING,
  type KindMatching,
  type PlateauRule,
} from '../learn/auto-rules';
import { curveKind } from '../learn/curve-kind';
import type { StopModel } from '../learn/stop-model';
import type { AutoOptions } from '../options';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';
import { createNonePolicy } from './none';
import { createPlateauPolicy } from './plateau';
import { createRemainingGainPolicy } from './remaining-gain';
import { createRobustHalvingPolicy } from './robust-halving';
import { createThresholdPolicy } from './threshold';

export interface AutoSettings {
  /**
   * Share of the tolerance given to successive halving across an experiment; the rest goes to
   * stopping the surviving runs on a plateau (their losses add up). @defaultValue 0.5
   */
  halvingShareOfTolerance: number;
  /**
   * How history is matched to a run (`learn/auto-rules.ts`): whether history of the run's metric
   * kind in other families may judge it when its own family is too little of history, and what
   * halving does across an experiment of a kind history holds too little of.
   * @defaultValue `DEFAULT_KIND_MATCHING`: pooled families, plain halving where the kind's few
   * units do not refute it
   */
  matching: KindMatching;
}

export const DEFAULT_AUTO_SETTINGS: AutoSettings = {
  halvingShareOfTolerance: 0.5,
  matching: DEFAULT_KIND_MATCHING,
};

/** Version of auto's snapshot; a state without it was saved by the auto of before issue 12. */
const STATE_VERSION = 2;

/**
 * The default policy: given only `tolerance` (in the monitored metric's units), stop as early as
 * history says is safe, with every setting chosen by an upper-confidence risk rule over history's
 * tasks (`learn/auto-rules.ts`, `learn/risk-control.ts`), matched to the run's task family:
 * - a run judged alone stops once what its best so far can still gain over the rest of its
 *   budget, bounded from its own curve (`policies/remaining-gain.ts`: its recent gain
 *   extrapolated linearly, plus a margin of its own noise), is within the tolerance, with the
 *   window, margin and threshold history bounds over all of its tasks and each kind's, a safe
 *   default without history; it needs no history of the run's kind of curve;
 * - among an experiment's runs (peers visible): robust successive halving (rank by best so far,
 *   keep at least two, runs still at chance outrank none, ranked again as more runs reach a rung)
 *   with the smallest keep share whose regret history bounds within half the tolerance (plain
 *   1/η where history cannot tell), and the plateau rule, bounded by the other half, for the runs
 *   that survive; where history of the run's kind backs neither, the survivors are bounded by
 *   their own curves, as a run alone is.
 * Without any history: the remaining-gain bound's default alone, and with peers the noise-aware
 * threshold policy for the survivors and plain robust halving.
 * Among its experiment's runs, a run is judged by history of its own kind of curve
 * (`learn/curve-kind.ts`: its metric's kind and, where history holds enough of it, its family),
 * never by curves of other metrics: where history holds too few of its kind for the risk rule, no
 * plateau rule stops the survivors, and halving keeps the plain share only where the few units of
 * its kind history holds do not refute it (with none, it stops nothing: no rule's loss on it is
 * bounded). A family history holds too little of is judged by history's other families, each one
 * unit, and is not halved where they are too few (`matchHistory`, `newFamilyOfKnownKind`).
 * Each experiment is judged afresh from history, not from its own peers' outcomes, until they are
 * history.
 */
export function createAutoPolicy(
  options: AutoOptions,
  run: RunInfo,
  model: StopModel | null,
  settings: AutoSettings = DEFAULT_AUTO_SETTINGS,
): StoppingPolicy {
  const rules: AutoRules = autoRules(
    model,
    options.tolerance,
    curveKind(run.metric ?? options.monitor, run.mode, run.features),
    settings.halvingShareOfTolerance,
    settings.matching,
  );
  const build = (): StoppingPolicy[] => {
    const none = () => createNonePolicy({ name: 'none' }, run);
    const plateau = (rule: PlateauRule) => createPlateauPolicy(run, { mode: options.mode, ...rule });
    const alone = (rule: AutoRules['single']) =>
      rule ? createRemainingGainPolicy(run, { mode: options.mode, ...rule }) : none();
    const threshold = () =>
      createThresholdPolicy(
        {
          monitor: options.monitor,
          mode: options.mode,
          tolerance: options.tolerance,
          lr_drop_before_stop: false,
          name: 'threshold',
          min_evals: 3,
        },
        run,
      );
    return [
      alone(rules.single),
      model ? (rules.survivors ? plateau(rules.survivors) : alone(rules.survivorsBound)) : threshold(),
      createRobustHalvingPolicy(run, { mode: options.mode, ...rules.halving }),
    ];
  };
  let parts = build();
  return {
    name: 'auto',
    decide(input: DecideInput): Decision {
      // Every part sees every eval, so each keeps its state whichever decides.
      const [single, survivors, halving] = parts.map((p) => p.decide(input)) as [
        Decision,
        Decision,
        Decision,
      ];
      if (input.peers.length === 0) return single;
      if (survivors.kind === 'stop') return survivors;
      return halving.kind === 'stop' ? halving : CONTINUE;
    },
    snapshot: (): PolicyState => ({ version: STATE_VERSION, parts: parts.map((p) => p.snapshot()) }),
    restore(state: PolicyState) {
      if (state.version !== STATE_VERSION) {
        // Saved by the auto of before issue 12 (other parts): every part's state here is a
        // function of the run's own evals, so fresh parts catch up at the next decision. The one
        // difference from a run under this auto from its start: halving judges it once at the
        // last rung it has reached, against the peers standing there at that decision.
        parts = build();
        return;
      }
      const states = state.parts;
      if (!Array.isArray(states) || states.length !== parts.length) {
        throw new PolicyStateError(
          `auto: snapshot holds ${Array.isArray(states) ? states.length : 'no'} part states, expected ${parts.length}`,
        );
      }
      parts.forEach((p, i) => {
        p.restore(states[i] as PolicyState);
      });
    },
  };
}
