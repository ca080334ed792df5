// Which past runs may speak for a new one at all: the relevance hierarchy `auto` matches history
// by (kindWeights in @curfew/policies): the runs of the run's own metric kind and family when
// history holds enough of their tasks, else those of its metric kind, else (no history of its
// kind) all of history. Each scope is fitted on its own runs, so history of another kind cannot
// move a run's prediction.
import { DEFAULT_RISK_RULE, metricKind } from '@curfew/policies';
import type { RunFeatures } from './features.js';
import { type KernelPrediction, type KernelQuery, predictKernel, type RepresentativeRun } from './kernel.js';
import { type EncodedFeatures, encodeFeatures, type MetaModelState, type ScopeState } from './model-state.js';

/** Fewest tasks of a metric kind and family for them alone to speak for a run: the risk rule's, as `auto` has it. */
export const MIN_FAMILY_TASKS = DEFAULT_RISK_RULE.minUnits;
/** Fewest tasks of a metric kind for a fit of their own: leave-one-task-out needs two. */
export const MIN_KIND_TASKS = 2;

export interface ScopeKey {
  metric: string;
  family: string | null;
}

/**
 * A run's metric kind and family from its features (`metric`, `mode`, `family`), as
 * curfew_metric_kind reads them in SQL: '' when the run names no metric; mode min or else max.
 */
export function runScopeKey(features: RunFeatures): ScopeKey {
  const metric = features.metric;
  const mode = features.mode === 'min' ? 'min' : 'max';
  return {
    metric: metric === undefined ? '' : metricKind(String(metric), mode),
    family: features.family === undefined ? null : String(features.family),
  };
}

const inScope = (scope: ScopeKey, key: ScopeKey) =>
  key.metric === scope.metric && (scope.family === null || key.family === scope.family);

/** The runs of `runs` that a scope holds. */
export function runsInScope<T extends { features: RunFeatures }>(runs: readonly T[], scope: ScopeKey): T[] {
  return runs.filter((r) => inScope(scope, runScopeKey(r.features)));
}

/**
 * The scopes history supports, in a fixed order (metric kind, then family): a metric kind with
 * at least MIN_KIND_TASKS tasks, and within it a family with at least MIN_FAMILY_TASKS, each
 * only where it holds fewer runs than the scope a run would fall back to (with the same runs it
 * would be the same fit).
 */
export function scopesOf(runs: readonly { task: string; features: RunFeatures }[]): ScopeKey[] {
  const keys = runs.map((r) => runScopeKey(r.features));
  const count = (scope: ScopeKey) => {
    const tasks = new Set<string>();
    let n = 0;
    keys.forEach((k, i) => {
      if (!inScope(scope, k)) return;
      n++;
      tasks.add((runs[i] as { task: string }).task);
    });
    return { runs: n, tasks: tasks.size };
  };
  const byOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const out: ScopeKey[] = [];
  for (const metric of [...new Set(keys.map((k) => k.metric))].filter((m) => m !== '').sort(byOrder)) {
    const kind = count({ metric, family: null });
    if (kind.tasks >= MIN_KIND_TASKS && kind.runs < runs.length) out.push({ metric, family: null });
    const families = new Set(
      keys.flatMap((k) => (k.metric === metric && k.family !== null ? [k.family] : [])),
    );
    for (const family of [...families].sort(byOrder)) {
      const own = count({ metric, family });
      if (own.tasks >= MIN_FAMILY_TASKS && own.runs < kind.runs) out.push({ metric, family });
    }
  }
  return out;
}

/**
 * The scope a run is predicted in: the index in `scopes` of its metric kind and family, else of
 * its metric kind across families; -1 for all of history (the state's top level). The SQL
 * function curfew_predict_stop picks the same.
 */
export function scopeOf(scopes: readonly ScopeKey[], features: RunFeatures): number {
  const key = runScopeKey(features);
  if (key.metric === '') return -1;
  const own =
    key.family === null ? -1 : scopes.findIndex((s) => s.metric === key.metric && s.family === key.family);
  return own >= 0 ? own : scopes.findIndex((s) => s.metric === key.metric && s.family === null);
}

/** The state as predicted in scope `index` (-1: the top level): its weights and checkpoints. */
export function scopeView(state: MetaModelState, index: number): MetaModelState {
  const scope: ScopeState | undefined = index < 0 ? undefined : state.scopes?.[index];
  return scope ? { ...state, ...scope } : state;
}

/** A scope as the TypeScript mirror predicts in it: its view of the state, its kept runs, encoded. */
export interface ScopedHistory {
  state: MetaModelState;
  representatives: readonly RepresentativeRun[];
  encoded: EncodedFeatures[];
}

type Kept = RepresentativeRun & { features: RunFeatures };

/** The top level (first) and every scope of a fit, encoded once for many predictions. */
export function scopedHistories(fitted: {
  state: MetaModelState;
  representatives: readonly Kept[];
  scopeRepresentatives?: readonly (readonly Kept[])[];
}): ScopedHistory[] {
  const of = (index: number, runs: readonly Kept[]): ScopedHistory => {
    const state = scopeView(fitted.state, index);
    return { state, representatives: runs, encoded: runs.map((r) => encodeFeatures(state, r.features)) };
  };
  return [
    of(-1, fitted.representatives),
    ...(fitted.scopeRepresentatives ?? []).map((runs, s) => of(s, runs)),
  ];
}

/**
 * Predicts for a run of `features` in its scope (`scopeOf`), in TypeScript: the mirror of
 * curfew_predict_stop, which picks the same scope and predicts as `predictKernel` does in it.
 */
export function predictScoped(
  histories: readonly ScopedHistory[],
  features: RunFeatures,
  query: Omit<KernelQuery, 'encoded'>,
): KernelPrediction | null {
  const top = histories[0];
  if (!top) return null;
  const scoped = histories[scopeOf(top.state.scopes ?? [], features) + 1] ?? top;
  return predictKernel(scoped.state, scoped.representatives, scoped.encoded, {
    ...query,
    encoded: encodeFeatures(scoped.state, features),
  });
}
