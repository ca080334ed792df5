import type { ExperimentSpec } from './experiment-spec.js';
import { modelParamDefaults, type ParamValue } from './model-families.js';
import { createRng, type Rng } from './prng.js';
import { type GridSearchDomain, gridDomainValues, type SearchDomain } from './search-domain.js';
import type { GridSearchSpec, RandomSearchSpec } from './search-spec.js';

/** One run of an experiment: its index and every model/optimizer parameter it trains with. */
export interface RunConfig {
  /** 0-based index of the run within the experiment. */
  trial: number;
  /** Family defaults ⊕ optimizer defaults ⊕ `model.params` (or `trainer.params`) ⊕ the searched values. */
  params: Record<string, ParamValue>;
  /** Only the searched values (a subset of `params`), for reports. */
  sampled: Record<string, ParamValue>;
}

/** Significant digits kept of sampled floats, so configs read well in logs and SQL. */
const significantDigits = 6;

function roundWithin(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Number(value.toPrecision(significantDigits))));
}

/** One value of a domain from one draw of the generator. */
export function sampleDomain(domain: SearchDomain, rng: Rng): ParamValue {
  const u = rng();
  if ('uniform' in domain) {
    const [low, high] = domain.uniform;
    return roundWithin(low + u * (high - low), low, high);
  }
  if ('loguniform' in domain) {
    const [low, high] = domain.loguniform;
    return roundWithin(Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))), low, high);
  }
  if ('int' in domain) {
    const [low, high] = domain.int;
    return low + Math.floor(u * (high - low + 1));
  }
  const values = 'choice' in domain ? domain.choice : domain.grid;
  return values[Math.floor(u * values.length)] as ParamValue;
}

const sortedKeys = (space: Record<string, unknown>): string[] => Object.keys(space).sort();

function expandRandom(search: RandomSearchSpec): Record<string, ParamValue>[] {
  const rng = createRng(`random:${search.seed}`);
  const keys = sortedKeys(search.space);
  return Array.from({ length: search.trials }, () => {
    const sampled: Record<string, ParamValue> = {};
    for (const key of keys) sampled[key] = sampleDomain(search.space[key] as SearchDomain, rng);
    return sampled;
  });
}

/** k distinct indices of 0..n-1, ascending (partial Fisher-Yates). */
function sampleIndices(n: number, k: number, rng: Rng): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return indices.slice(0, k).sort((a, b) => a - b);
}

function expandGrid(search: GridSearchSpec): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  // The first key in sorted order varies slowest, like nested loops.
  for (const key of sortedKeys(search.space)) {
    const values = gridDomainValues(search.space[key] as GridSearchDomain);
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })));
  }
  if (search.trials === undefined || search.trials >= points.length) return points;
  const rng = createRng(`grid:${search.seed}`);
  return sampleIndices(points.length, search.trials, rng).map(
    (index) => points[index] as Record<string, ParamValue>,
  );
}

/**
 * Expands an experiment into its runs, deterministically from `search.seed`: the same spec
 * always gives the same configs. Without `search`, one run with the model's parameters (a
 * command trainer: its `trainer.params`).
 */
export function expandSearch(spec: Pick<ExperimentSpec, 'model' | 'search' | 'trainer'>): RunConfig[] {
  const base = spec.model
    ? {
        ...(spec.model.family === 'module' ? {} : modelParamDefaults(spec.model.family)),
        ...spec.model.params,
      }
    : { ...(spec.trainer?.params ?? {}) };
  const search = spec.search;
  const samples =
    search === undefined ? [{}] : search.method === 'grid' ? expandGrid(search) : expandRandom(search);
  return samples.map((sampled, trial) => ({ trial, params: { ...base, ...sampled }, sampled }));
}
