// Helpers shared by the policies' tests (not exported from the package).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_FEATURES } from './learn/state-features';
import { STOP_MODEL_FORMAT, type StopModel } from './learn/stop-model';
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

/**
 * The recorded dev curves (../shared/curves/dev beside the repository, as laid out for
 * developers and CI), or CURFEW_DEV_CURVES when set.
 */
export function devCurvesFile(name: string): string {
  const dir =
    process.env.CURFEW_DEV_CURVES ??
    fileURLToPath(new URL('../../../../shared/curves/dev/', import.meta.url));
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    throw new Error(`the dev curves are missing: ${file} (set CURFEW_DEV_CURVES to their folder)`);
  }
  return file;
}

/**
 * A stop model whose parts are given (the rest empty): no calibration, no tables, so neither
 * `meta` nor `auto` learns anything from it that a test did not put there.
 */
export function stubStopModel(parts: Partial<StopModel> = {}): StopModel {
  return {
    format: STOP_MODEL_FORMAT,
    features: STATE_FEATURES,
    mean: { base: 0, learningRate: 0.1, trees: [] },
    upper: { base: 0, learningRate: 0.1, trees: [] },
    upperQuantile: 0.97,
    calibration: [],
    plateau: { tolerances: [], windows: [], tasks: [], groups: [], runs: [], runSaved: [], leaders: [] },
    halving: { params: [], units: [] },
    kinds: { tasks: {}, groups: {} },
    history: { runs: 0, tasks: [] },
    ...parts,
  };
}
