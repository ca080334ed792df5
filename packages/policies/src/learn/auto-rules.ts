import type { CurveKind } from './curve-kind';
import { CHANCE_SHARE, FALLBACK_SHARE, HALVING_RUNGS, MIN_KEEP } from './halving-table';
import { plateauRiskTable } from './plateau-table';
import {
  DEFAULT_REMAINING_GAIN,
  type RemainingGainRule,
  type RemainingGainTables,
  remainingGainRule,
} from './remaining-gain-table';
import {
  chooseRule,
  DEFAULT_RISK_RULE,
  MEAN_RISK_RULE,
  type RiskRule,
  type RiskTable,
  type RiskUnit,
} from './risk-control';
import { hasAutoTables, type StopModel } from './stop-model';

/** A plateau rule's settings: stop once the best so far gained ≤ `gain` over the last `window` of the budget. */
export interface PlateauRule {
  window: number;
  gain: number;
}

/** What `auto` does for one run, given history and the tolerance (see `autoRules`). */
export interface AutoRules {
  /** Robust halving across an experiment. */
  halving: { rungs: readonly number[]; keepShare: number; minKeep: number; chanceShare: number };
  /** Whether history chose the keep share (false: the plain fallback, history could not support it). */
  halvingLearned: boolean;
  /** The remaining-gain rule for a run judged alone; null: it never stops alone. */
  single: RemainingGainRule | null;
  /** The plateau rule for a run among its experiment's runs; null: none. */
  survivors: PlateauRule | null;
  /**
   * Where history of the run's kind backs neither `survivors` nor the halving share: the
   * remaining-gain rule that bounds the survivors by their own curves instead; null otherwise.
   */
  survivorsBound: RemainingGainRule | null;
}

/**
 * History a run of kind `kind` (`curve-kind.ts`) is judged by: the units of `table` and their
 * weights for the risk rule, or null when history holds too little of the run's kind.
 * - Its own metric kind and family, when history holds enough of them for the risk rule to pass at
 *   all (`rule.minUnits`): the units as they are, weight 1 each (0 for every other unit).
 * - Else, with `poolFamilies`, its metric kind over the other families, with each family one unit
 *   (its losses those of all its groups, in every condition): a task of a family history has not
 *   seen is exchangeable with history's families, not with their groups, whose curves share a
 *   shape (architecture, data, schedule). Counted by groups, ten image fine-tuning groups and two
 *   others made halving at share 0.23 look bounded for ImageNet ViT pretraining, whose eventual
 *   best runs stand far behind at the first rung: at tolerance 0.002 it lost more than twice the
 *   tolerance on one of its groups or two in 13 of 18 replays. So pooling needs
 *   `rule.minUnits` families; a group of no named family is a family of its own.
 * Never all of history: a rule's loss on curves of another metric (a WER judged by accuracies, a
 * loss in nats by fractions) does not bound its loss on this one, and pooling them is what broke
 * the tolerance on WER curves. A prior on which units resemble the task plugs in as weights.
 */
export function matchHistory(
  table: RiskTable,
  kinds: Readonly<Record<string, CurveKind>>,
  kind: CurveKind,
  rule: RiskRule = DEFAULT_RISK_RULE,
  poolFamilies = true,
): { table: RiskTable; weights: number[] } | null {
  if (kind.metric === '') return null;
  const ofMetric = (u: RiskUnit) => kinds[u.name]?.metric === kind.metric;
  const family = table.units.map((u) =>
    ofMetric(u) && kind.family !== '' && kinds[u.name]?.family === kind.family ? 1 : 0,
  );
  if (family.reduce<number>((a, b) => a + b, 0) >= rule.minUnits) return { table, weights: family };
  if (!poolFamilies) return null;
  const families = new Map<string, RiskUnit[]>();
  for (const u of table.units) {
    if (!ofMetric(u)) continue;
    const name = kinds[u.name]?.family || `group:${u.name}`;
    families.set(name, [...(families.get(name) ?? []), u]);
  }
  if (families.size < rule.minUnits) return null;
  const units = [...families].map(([name, us]) => ({
    name,
    losses: table.params.map((_, q) => us.flatMap((u) => u.losses[q] ?? [])),
    saved: table.params.map((_, q) => us.reduce((s, u) => s + (u.saved[q] ?? 0), 0) / us.length),
  }));
  return { table: { params: table.params, units }, weights: units.map(() => 1) };
}

/**
 * What halving does across an experiment whose kind of curve history holds too few units of for the
 * risk rule (`matchHistory` null):
 * - `checked-halving`: plain robust halving at 1/η keeping at least two where the few units history
 *   holds of the run's metric kind (any family) do not refute it (`plainHalvingHolds`), else
 *   nothing is stopped: with no history of its kind at all, no rule's loss on the run is bounded;
 *   nothing either for a new family of a kind history holds many groups of in too few families
 *   (`newFamilyOfKnownKind`);
 * - `halving`: plain robust halving regardless;
 * - `none`: nothing is stopped.
 */
export type WithoutHistoryOfKind = 'checked-halving' | 'halving' | 'none';

/** How `autoRules` matches history to a run (see `matchHistory`, `WithoutHistoryOfKind`). */
export interface KindMatching {
  poolFamilies: boolean;
  withoutKind: WithoutHistoryOfKind;
}

export const DEFAULT_KIND_MATCHING: KindMatching = { poolFamilies: true, withoutKind: 'checked-halving' };

/**
 * Whether plain halving (`FALLBACK_SHARE`) stayed within `tolerance` on every unit of history of
 * the run's metric kind: each unit's mean regret over the run orders and worker counts it was
 * replayed in within the tolerance, its worst within twice it. Too few units to bound a rule's
 * loss on a new task, enough to refute one; false with none (nothing to judge it by).
 */
export function plainHalvingHolds(
  table: RiskTable,
  kinds: Readonly<Record<string, CurveKind>>,
  kind: CurveKind,
  tolerance: number,
): boolean {
  const q = table.params.findIndex((p) => Math.abs(p - FALLBACK_SHARE) < 1e-9);
  const units = table.units.filter((u) => kind.metric !== '' && kinds[u.name]?.metric === kind.metric);
  if (q < 0 || units.length === 0) return false;
  return units.every((u) => {
    const losses = u.losses[q] ?? [];
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    return losses.length > 0 && mean <= tolerance && Math.max(...losses) <= 2 * tolerance;
  });
}

/**
 * Whether the run is of a family history holds too little of (fewer than `rule.minUnits` groups)
 * while history holds enough groups of its metric kind to judge a rule on a family it has seen,
 * spread over too few families to judge one on a new family (`matchHistory` null). Those groups
 * then do not vouch for plain halving either: on the dev curves, with ImageNet ViT pretraining (a
 * family no other fold holds) halved at the plain share where those groups did not refute it,
 * one of its groups lost 0.0251 at tolerance 0.005, and two of the 18 accuracy groups lost more
 * than twice the tolerance in the worst replay, though every image fine-tuning,
 * ImageNet AlexNet and MultiNLI group of history lost within it. With fewer groups of the kind
 * than that, they are all history has, and plain halving checked by them (`plainHalvingHolds`)
 * is the robust default.
 */
export function newFamilyOfKnownKind(
  table: RiskTable,
  kinds: Readonly<Record<string, CurveKind>>,
  kind: CurveKind,
  rule: RiskRule = DEFAULT_RISK_RULE,
): boolean {
  if (kind.metric === '') return false;
  const ofKind = table.units.filter((u) => kinds[u.name]?.metric === kind.metric);
  const own = ofKind.filter((u) => kind.family !== '' && kinds[u.name]?.family === kind.family);
  return ofKind.length >= rule.minUnits && own.length < rule.minUnits;
}

/** Fewest tasks of a run's own metric kind in history for it to make the rule alone bolder. */
export const MIN_OWN_KIND_TASKS = 2;

/**
 * The remaining-gain rule for a run of kind `kind` judged alone (`learn/remaining-gain-table.ts`):
 * bounded by the run's own curve, so it needs no history of the run's kind. Without tables, or
 * with fewer tasks in them than the risk rule needs to pass at all, the safe default at the
 * tolerance (`DEFAULT_REMAINING_GAIN`). With enough, what history bounds (null where it refutes
 * every setting): bolder than the default only where history holds the run's own metric kind
 * (`MIN_OWN_KIND_TASKS`), since what other kinds' smoother curves support does not carry over to
 * a noisier kind (replayed with each kind left out of history, a bolder threshold chosen on the
 * others broke the tolerance on accuracy curves); otherwise at most the default, more cautious
 * where history refutes it.
 */
export function aloneRule(
  tables: RemainingGainTables | undefined,
  kinds: Readonly<Record<string, CurveKind>>,
  kind: CurveKind,
  tolerance: number,
): RemainingGainRule | null {
  const { window, noise, shareOfTolerance } = DEFAULT_REMAINING_GAIN;
  const safe = { window, noise, threshold: shareOfTolerance * tolerance };
  if (tables === undefined || tables.tasks.length < MEAN_RISK_RULE.minUnits) return safe;
  // Every run of a kind at a tolerance gets the same rule from the same model: choose it once.
  const byKinds = aloneRules.get(tables) ?? new WeakMap();
  aloneRules.set(tables, byKinds);
  const rules = byKinds.get(kinds) ?? new Map<string, RemainingGainRule | null>();
  byKinds.set(kinds, rules);
  const key = `${kind.metric}|${tolerance}`;
  if (!rules.has(key)) {
    const own = tables.tasks.filter((t) => kind.metric !== '' && kinds[t]?.metric === kind.metric).length;
    rules.set(key, remainingGainRule(tables, kinds, tolerance, own >= MIN_OWN_KIND_TASKS ? undefined : safe));
  }
  return rules.get(key) ?? null;
}

/** `aloneRule`'s choices per model's tables and kinds, by metric kind and tolerance. */
const aloneRules = new WeakMap<
  RemainingGainTables,
  WeakMap<Readonly<Record<string, CurveKind>>, Map<string, RemainingGainRule | null>>
>();

/**
 * The plateau rule for an experiment's surviving runs at `tolerance` (their part of it): the
 * shortest window whose loss on the leading runs of history's groups of the run's kind the risk
 * rule bounds (the survivors add to an experiment's regret's tail too); null where none.
 */
function survivorsRule(
  model: StopModel,
  tolerance: number,
  kind: CurveKind,
  matching: KindMatching,
): PlateauRule | null {
  const at = plateauRiskTable(model.plateau, tolerance, 'leaders');
  if (!at) return null;
  const matched = matchHistory(at.table, model.kinds.groups, kind, DEFAULT_RISK_RULE, matching.poolFamilies);
  if (!matched) return null;
  const { index } = chooseRule(matched.table, at.gain, matched.weights, DEFAULT_RISK_RULE);
  const window = index === null ? 1 : (at.table.params[index] as number);
  return window < 1 ? { window, gain: at.gain } : null;
}

/**
 * The halving rule for a run of kind `kind` at `tolerance` (halving's part of it): at each rung
 * schedule history was replayed at (`halving`, the default rungs, and `halvingSchedules`), the
 * most aggressive keep share the risk rule bounds on history's units of the run's kind
 * (`matchHistory`, each schedule at a Bonferroni share of the risk rule's confidence), and of
 * those the one that saved those units the most tokens on average (the default rungs on a tie),
 * as `remainingGainRule` chooses per window × noise. Null where
 * the risk rule bounds no share at any schedule.
 */
export function halvingChoice(
  model: StopModel,
  kind: CurveKind,
  tolerance: number,
  matching: KindMatching = DEFAULT_KIND_MATCHING,
): { rungs: readonly number[]; keepShare: number } | null {
  const schedules = [{ rungs: HALVING_RUNGS, table: model.halving }, ...(model.halvingSchedules ?? [])];
  // The best of several fixed sequences: each one's mean-loss bound is tested at the family's
  // confidence split among them (Bonferroni), so the chosen one's mean is bounded at
  // `DEFAULT_RISK_RULE.confidence` still. The tail test is not split: at a tenth of the units over
  // twice the tolerance, a quarter of that share would need 39 units of history before anything passed.
  const rule = {
    ...DEFAULT_RISK_RULE,
    confidence: 1 - (1 - DEFAULT_RISK_RULE.confidence) / schedules.length,
  };
  let chosen: { rungs: readonly number[]; keepShare: number; saved: number } | null = null;
  for (const { rungs, table } of schedules) {
    const matched = matchHistory(table, model.kinds.groups, kind, DEFAULT_RISK_RULE, matching.poolFamilies);
    if (!matched) continue;
    const { index } = chooseRule(matched.table, tolerance, matched.weights, rule);
    if (index === null) continue;
    const units = matched.table.units;
    const weight = matched.weights.reduce((a, b) => a + b, 0);
    const saved =
      units.reduce((s, u, k) => s + (matched.weights[k] as number) * (u.saved[index] ?? 0), 0) / weight;
    if (!chosen || saved > chosen.saved) chosen = { rungs, keepShare: table.params[index] as number, saved };
  }
  return chosen && { rungs: chosen.rungs, keepShare: chosen.keepShare };
}

/**
 * `auto`'s rules for a run of kind `kind` at `tolerance`, each the most aggressive setting whose
 * loss on history the risk rule bounds (`risk-control.ts`):
 * - across an experiment, regret ≤ (what halving loses) + (what stopping the leading runs on a
 *   plateau loses), so each is held to its share of the tolerance: `split` for halving's keep
 *   share (per group of history, its regret over several run orders and worker counts), the rest
 *   for the plateau rule of the runs that survive (per group, the largest loss of its leading
 *   runs); where history supports no plateau rule for the survivors, halving has it all, and
 *   where it supports neither, the survivors are bounded by their own curves (`survivorsBound`,
 *   at their share of t beside plain halving, at all of it where halving stops nothing);
 * - a run judged alone: the remaining-gain bound of its own curve at the whole tolerance
 *   (`aloneRule`; per task, its runs' mean loss, held to the bound on the mean alone, over all
 *   of history's tasks and over each metric kind's): it needs no history of the run's kind.
 * Where history cannot support a rule: with a model without tables, halving keeps the plain share
 * 1/η (`FALLBACK_SHARE`, at least `MIN_KEEP` runs); with too few units of the run's kind, halving
 * does as `matching.withoutKind` says (by default plain halving where the kind's few units do not
 * refute it, else nothing). No plateau rule stops the survivors there.
 */
export function autoRules(
  model: StopModel | null,
  tolerance: number,
  kind: CurveKind,
  split = 0.5,
  matching: KindMatching = DEFAULT_KIND_MATCHING,
): AutoRules {
  const halving = {
    rungs: HALVING_RUNGS,
    keepShare: FALLBACK_SHARE,
    minKeep: MIN_KEEP,
    chanceShare: CHANCE_SHARE,
  };
  if (!model || !hasAutoTables(model))
    return {
      halving,
      halvingLearned: false,
      single: aloneRule(undefined, {}, kind, tolerance),
      survivors: null,
      survivorsBound: null,
    };
  const survivors = survivorsRule(model, tolerance * (1 - split), kind, matching);
  // Survivors that never stop on a plateau lose nothing there: halving may have all of it.
  const halvingTolerance = survivors ? tolerance * split : tolerance;
  const matched = matchHistory(
    model.halving,
    model.kinds.groups,
    kind,
    DEFAULT_RISK_RULE,
    matching.poolFamilies,
  );
  const choice = matched ? halvingChoice(model, kind, halvingTolerance, matching) : null;
  const halves =
    matching.withoutKind === 'halving' ||
    (matching.withoutKind === 'checked-halving' &&
      !newFamilyOfKnownKind(model.halving, model.kinds.groups, kind) &&
      plainHalvingHolds(model.halving, model.kinds.groups, kind, tolerance));
  const fallback = matched === null && !halves ? { ...halving, keepShare: 1 } : halving;
  const halvingRule = choice === null ? fallback : { ...halving, ...choice };
  // Survivors beside plain halving get their share of t; beside no halving at all, all of it.
  const boundTolerance = halvingRule.keepShare < 1 ? tolerance * (1 - split) : tolerance;
  return {
    halving: halvingRule,
    halvingLearned: choice !== null,
    single: aloneRule(model.remainingGain, model.kinds.tasks, kind, tolerance),
    survivors,
    survivorsBound:
      survivors === null && choice === null && matching.withoutKind !== 'none'
        ? aloneRule(model.remainingGain, model.kinds.tasks, kind, boundTolerance)
        : null,
  };
}
