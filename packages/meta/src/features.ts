/**
 * Run and task features: a flat object of numbers and strings the meta-learner compares runs by.
 * Built from a curve file's `features` or from an experiment spec plus a run's config, then
 * completed with where the run sits within its experiment's sweep (`lr_rank`…), which is what
 * transfers between tasks whose absolute learning rates differ by orders of magnitude.
 */
export type FeatureValue = number | string;
export type RunFeatures = Record<string, FeatureValue>;

/** Suffix of the features that give a run's position (0…1) within its group's sweep of a parameter. */
export const RANK_SUFFIX = '_rank';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers (finite) and strings are kept, booleans become strings; nested objects and arrays are dropped. */
export function flattenFeatures(...sources: (Readonly<Record<string, unknown>> | undefined)[]): RunFeatures {
  const out: RunFeatures = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
      else if (typeof value === 'string' && value.length > 0) out[key] = value;
      else if (typeof value === 'boolean') out[key] = String(value);
    }
  }
  // Optimisers name it either way; history and new runs must agree.
  if (out.lr === undefined && typeof out.learning_rate === 'number') out.lr = out.learning_rate;
  return out;
}

function metricOf(spec: Readonly<Record<string, unknown>>): { metric: string; mode: string } {
  const policy = isRecord(spec.policy) ? spec.policy : {};
  if (typeof policy.monitor !== 'string') return { metric: 'em', mode: 'max' };
  return { metric: policy.monitor, mode: policy.mode === 'min' ? 'min' : 'max' };
}

/**
 * Features of a run of an experiment spec: task family and parameters, model family, then the
 * run's config (model and optimizer parameters: lr, batch_size, units…), which wins on a clash.
 */
export function specRunFeatures(
  spec: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
) {
  const task = isRecord(spec.task) ? spec.task : {};
  const model = isRecord(spec.model) ? spec.model : {};
  const budget = isRecord(spec.budget) ? spec.budget : {};
  const eval_ = isRecord(spec.eval) ? spec.eval : {};
  const evalsPerRun =
    typeof budget.max_tokens_per_run === 'number' && typeof eval_.every_tokens === 'number'
      ? Math.floor(budget.max_tokens_per_run / eval_.every_tokens)
      : undefined;
  return flattenFeatures(
    // The metric the experiment's policy watches and its direction: the kind of task history is
    // compared by (a parsed spec always has the mode; a policy that watches nothing ranks by EM).
    metricOf(spec),
    { family: task.family },
    isRecord(task.params) ? task.params : {},
    { model: model.family },
    isRecord(model.params) ? model.params : {},
    config,
    evalsPerRun === undefined ? {} : { evals_per_run: evalsPerRun },
  );
}

/**
 * Adds `<key>_rank` for every numeric parameter that varies within the group: its mid-rank
 * quantile in (0, 1) over the group's runs, on a log scale (rank is scale-free anyway).
 * Runs are given in one group (one experiment, or one curve-file group).
 */
export function withGroupRanks(group: readonly RunFeatures[]): RunFeatures[] {
  const keys = new Set<string>();
  for (const run of group) for (const [k, v] of Object.entries(run)) if (typeof v === 'number') keys.add(k);
  const ranked = group.map((run) => ({ ...run }));
  for (const key of [...keys].sort()) {
    if (key.endsWith(RANK_SUFFIX)) continue;
    const values = group.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    if (values.length < 2 || new Set(values).size < 2) continue;
    const sorted = [...values].sort((a, b) => a - b);
    group.forEach((run, i) => {
      const v = run[key];
      if (typeof v !== 'number') return;
      const below = lowerBound(sorted, v);
      const equal = lowerBound(sorted, v, true) - below;
      (ranked[i] as RunFeatures)[`${key}${RANK_SUFFIX}`] = round6((below + equal / 2) / sorted.length);
    });
  }
  return ranked;
}

/** Index of the first element ≥ v (or > v when `after`). */
function lowerBound(sorted: readonly number[], v: number, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = sorted[mid] as number;
    if (x < v || (after && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Applies {@link withGroupRanks} to items grouped by `groupOf`, keeping their order. */
export function rankWithinGroups<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  featuresOf: (item: T) => RunFeatures,
): RunFeatures[] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const g = groupOf(item);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  const out: RunFeatures[] = new Array(items.length);
  for (const indices of groups.values()) {
    const ranked = withGroupRanks(indices.map((i) => featuresOf(items[i] as T)));
    indices.forEach((i, k) => {
      out[i] = ranked[k] as RunFeatures;
    });
  }
  return out;
}
