import { describe, expect, it } from 'vitest';
import { stubStopModel } from '../test-support';
import {
  autoRules,
  halvingChoice,
  matchHistory,
  newFamilyOfKnownKind,
  plainHalvingHolds,
} from './auto-rules';
import type { CurveKind } from './curve-kind';
import { FALLBACK_SHARE, HALVING_RUNGS } from './halving-table';
import type { PlateauTables } from './plateau-table';
import { DEFAULT_REMAINING_GAIN } from './remaining-gain-table';
import { DEFAULT_RISK_RULE, type RiskTable } from './risk-control';

const acc = (family: string): CurveKind => ({ metric: 'accuracy:max', family });
const wer = (family: string): CurveKind => ({ metric: 'error-rate:min', family });

/** Halving history of `n` groups of kind `kind`, each losing `losses[s]` at share s (1, 0.5, 0.25). */
function halving(
  n: number,
  kind: CurveKind,
  losses: number[],
  offset = 0,
): { table: RiskTable; kinds: Record<string, CurveKind> } {
  const names = Array.from({ length: n }, (_, g) => `${kind.metric}/${kind.family}/${g + offset}`);
  return {
    table: {
      params: [1, 0.5, 0.25],
      units: names.map((name) => ({ name, losses: losses.map((l) => [l, l, l]), saved: [0, 0.5, 0.75] })),
    },
    kinds: Object.fromEntries(names.map((n) => [n, kind])),
  };
}

/** Plateau history where every task and group loses `loss(window)` at every tolerance. */
function plateau(tasks: string[], windows: number[], loss: (w: number) => number): PlateauTables {
  const tolerances = [0.001, 0.0025, 0.005, 0.01];
  const byTask = () => tolerances.map(() => tasks.map(() => windows.map(loss)));
  return { tolerances, windows, tasks, groups: tasks, runs: byTask(), runSaved: byTask(), leaders: byTask() };
}

describe('matchHistory', () => {
  // History: ten accuracy groups of family a, five of family b, and five WER groups of family a.
  const parts = [
    halving(10, acc('a'), [0, 0, 0]),
    halving(5, acc('b'), [0, 0, 0]),
    halving(5, wer('a'), [0, 0, 0]),
  ];
  const table: RiskTable = { params: [1, 0.5, 0.25], units: parts.flatMap((p) => p.table.units) };
  const kinds = Object.assign({}, ...parts.map((p) => p.kinds));
  const ones = (n: number) => Array(n).fill(1);
  const zeros = (n: number) => Array(n).fill(0);

  it('weighs the run’s own metric and family when history holds enough of them', () => {
    expect(matchHistory(table, kinds, acc('a'))).toEqual({
      table,
      weights: [...ones(10), ...zeros(5), ...zeros(5)],
    });
  });

  it('is null where history holds too few units of the run’s metric kind, or the metric is unknown', () => {
    // Five WER groups: fewer than the nine the risk rule needs; accuracy groups do not count.
    expect(matchHistory(table, kinds, wer('a'))).toBeNull();
    expect(matchHistory(table, kinds, { metric: 'loss:min', family: 'a' })).toBeNull();
    expect(matchHistory(table, kinds, { metric: '', family: 'a' })).toBeNull();
    // With a rule that asks for fewer units, the five WER groups are enough.
    expect(matchHistory(table, kinds, wer('a'), { ...DEFAULT_RISK_RULE, minUnits: 5 })?.weights).toEqual([
      ...zeros(15),
      ...ones(5),
    ]);
  });

  it('counts the families, not their groups, for a family history holds too little of', () => {
    // Fifteen accuracy groups but two families: too few to judge a family history has not seen.
    expect(matchHistory(table, kinds, acc('b'))).toBeNull();
    expect(matchHistory(table, kinds, acc('unseen'))).toBeNull();
    expect(matchHistory(table, kinds, acc(''))).toBeNull();
    expect(
      matchHistory(table, kinds, acc('unseen'), { ...DEFAULT_RISK_RULE, minUnits: 2 })?.table.units,
    ).toHaveLength(2);
    // Nine families of three groups each, one group losing 3 t at share 0.25 in every condition:
    // one unit per family, with all of its groups' losses, each weighing 1.
    const many = Array.from({ length: 9 }, (_, f) =>
      halving(3, acc(`f${f}`), f === 0 ? [0, 0, 0.03] : [0, 0, 0]),
    );
    const pooled = matchHistory(
      { params: [1, 0.5, 0.25], units: many.flatMap((p) => p.table.units) },
      Object.assign({}, ...many.map((p) => p.kinds)),
      acc('new'),
    );
    expect(pooled?.weights).toEqual(ones(9));
    expect(pooled?.table.units.map((u) => u.name)).toEqual(many.map((_, f) => `f${f}`));
    expect(pooled?.table.units[0]?.losses[2]).toEqual(Array(9).fill(0.03));
    // Families pooled only when asked.
    expect(
      matchHistory(
        { params: [1, 0.5, 0.25], units: many.flatMap((p) => p.table.units) },
        Object.assign({}, ...many.map((p) => p.kinds)),
        acc('new'),
        DEFAULT_RISK_RULE,
        false,
      ),
    ).toBeNull();
  });
});

describe('autoRules', () => {
  const t = 0.01;

  // The remaining-gain rule alone without its tables: the safe default at the tolerance.
  const safe = { window: DEFAULT_REMAINING_GAIN.window, noise: DEFAULT_REMAINING_GAIN.noise, threshold: t };

  it('keeps the plain share and the safe rule alone without tables (no history, or an older model)', () => {
    for (const model of [null, { ...stubStopModel(), format: 'curfew-stop-model/1' as never }]) {
      const rules = autoRules(model, t, acc('a'));
      expect(rules).toMatchObject({ halvingLearned: false, single: safe, survivors: null });
      expect(rules.halving.keepShare).toBe(FALLBACK_SHARE);
      expect(rules.halving.minKeep).toBe(2);
    }
    // Tables that hold nothing of the run's kind: nothing to check plain halving by.
    expect(autoRules(stubStopModel(), t, acc('a'))).toMatchObject({
      halvingLearned: false,
      single: safe,
      halving: { keepShare: 1 },
    });
  });

  it('takes the smallest share history bounds, from the task’s own kind, with all of t when no plateau rule applies', () => {
    // Kind a loses 0.4 t at share 0.5 and 0.9 t at 0.25; kind b loses 3 t at 0.5.
    const a = halving(12, acc('a'), [0, 0.4 * t, 0.9 * t]);
    const b = halving(12, acc('b'), [0, 3 * t, 3 * t]);
    const model = stubStopModel({
      halving: { params: a.table.params, units: [...a.table.units, ...b.table.units] },
      kinds: { tasks: {}, groups: { ...a.kinds, ...b.kinds } },
    });
    expect(autoRules(model, t, acc('a'))).toMatchObject({
      halvingLearned: true,
      halving: { keepShare: 0.25 },
    });
    expect(autoRules(model, t, acc('b'))).toMatchObject({ halvingLearned: true, halving: { keepShare: 1 } });
    // A family history has not seen: two families are too few to judge it by.
    expect(autoRules(model, t, acc('c'))).toMatchObject({ halvingLearned: false, halving: { keepShare: 1 } });
  });

  it('judges a family history has not seen by history’s families, not by their groups', () => {
    // Twelve groups of one family that lose nothing at any share: bounded for their family, but
    // one family says nothing about how a new family's curves rank at the rungs.
    const a = halving(12, acc('a'), [0, 0, 0]);
    const one = stubStopModel({ halving: a.table, kinds: { tasks: {}, groups: a.kinds } });
    expect(autoRules(one, t, acc('a'))).toMatchObject({ halvingLearned: true, halving: { keepShare: 0.25 } });
    expect(autoRules(one, t, acc('new'))).toMatchObject({ halvingLearned: false, halving: { keepShare: 1 } });
    // Ten families of two groups each, one family losing 3 t at 0.25 in every condition: the new
    // family gets the share every other family supports.
    const many = Array.from({ length: 10 }, (_, f) =>
      halving(2, acc(`f${f}`), f === 0 ? [0, 0, 3 * t] : [0, 0, 0]),
    );
    const model = stubStopModel({
      halving: { params: [1, 0.5, 0.25], units: many.flatMap((p) => p.table.units) },
      kinds: { tasks: {}, groups: Object.assign({}, ...many.map((p) => p.kinds)) },
    });
    expect(autoRules(model, t, acc('new'))).toMatchObject({
      halvingLearned: true,
      halving: { keepShare: 0.5 },
    });
  });

  it('falls back to plain halving and no survivors’ rule for a metric kind history has too little of', () => {
    // Twelve accuracy groups that support every share and window; none of WER.
    const a = halving(12, acc('a'), [0, 0, 0]);
    const names = a.table.units.map((u) => u.name);
    const model = stubStopModel({
      halving: a.table,
      plateau: plateau(names, [1, 0.5, 0.25], () => 0),
      kinds: { tasks: a.kinds, groups: a.kinds },
    });
    expect(autoRules(model, t, acc('a'))).toMatchObject({
      halvingLearned: true,
      halving: { keepShare: 0.25 },
    });
    expect(autoRules(model, t, acc('a')).survivors).not.toBeNull();
    // No WER history at all: nothing to check plain halving by, so nothing is stopped; alone, the
    // run is bounded by its own curve, whatever history holds of its kind.
    const rules = autoRules(model, t, wer('a'));
    expect(rules).toMatchObject({ halvingLearned: false, single: safe, survivors: null });
    expect(rules.halving.keepShare).toBe(1);
    // Asked for plain halving regardless, it halves at 1/3.
    const plain = autoRules(model, t, wer('a'), 0.5, { poolFamilies: true, withoutKind: 'halving' });
    expect(plain.halving).toMatchObject({ keepShare: FALLBACK_SHARE, minKeep: 2 });
    // The survivors are bounded by their own curves: at all of t beside no halving, at half of it
    // beside plain halving; where history backs the share, by nothing more.
    expect(rules.survivorsBound).toEqual(safe);
    expect(plain.survivorsBound).toEqual({ ...safe, threshold: t / 2 });
    expect(autoRules(model, t, acc('a')).survivorsBound).toBeNull();
    // Asked to stop nothing where history holds too little of the kind: no halving either, while
    // the kind history does hold keeps its learned share.
    const none = { poolFamilies: true, withoutKind: 'none' } as const;
    expect(autoRules(model, t, wer('a'), 0.5, none)).toMatchObject({
      halving: { keepShare: 1 },
      survivorsBound: null,
    });
    expect(autoRules(model, t, acc('a'), 0.5, none).halving.keepShare).toBe(0.25);
    // A family history has not seen, with one family of its metric kind in history: a kind it
    // holds too little of, pooled or not.
    for (const poolFamilies of [true, false]) {
      const own = autoRules(model, t, acc('z'), 0.5, { ...none, poolFamilies });
      expect(own).toMatchObject({ halvingLearned: false, survivors: null, halving: { keepShare: 1 } });
    }
  });

  it('does not halve a new family of a kind history holds many groups of in too few families', () => {
    // Twelve accuracy groups of one family, each losing nothing at any share, the plain one too.
    const a = halving(12, acc('a'), [0, 0, 0]);
    const units = a.table.units.map((u) => ({ ...u, losses: [...u.losses, [0, 0, 0]] }));
    const table = { params: [1, 0.5, 0.25, FALLBACK_SHARE], units };
    const model = stubStopModel({ halving: table, kinds: { tasks: {}, groups: a.kinds } });
    expect(plainHalvingHolds(table, a.kinds, acc('new'), t)).toBe(true);
    expect(newFamilyOfKnownKind(table, a.kinds, acc('new'))).toBe(true);
    expect(newFamilyOfKnownKind(table, a.kinds, acc(''))).toBe(true);
    expect(newFamilyOfKnownKind(table, a.kinds, acc('a'))).toBe(false);
    expect(newFamilyOfKnownKind(table, a.kinds, wer('a'))).toBe(false);
    // Not vouched for by one other family's groups: nothing halved, the survivors bounded by
    // their own curves at all of t.
    expect(autoRules(model, t, acc('new'))).toMatchObject({
      halvingLearned: false,
      halving: { keepShare: 1 },
      survivorsBound: safe,
    });
    // Asked for plain halving regardless, it halves at 1/3.
    const plain = autoRules(model, t, acc('new'), 0.5, { poolFamilies: true, withoutKind: 'halving' });
    expect(plain.halving.keepShare).toBe(FALLBACK_SHARE);
    // Four groups of the kind (fewer than the risk rule needs) are all history has: they check it.
    const few = halving(4, acc('a'), [0, 0, 0]);
    const fewTable = {
      params: table.params,
      units: few.table.units.map((u) => ({ ...u, losses: [...u.losses, [0, 0, 0]] })),
    };
    expect(newFamilyOfKnownKind(fewTable, few.kinds, acc('new'))).toBe(false);
    const fewModel = stubStopModel({ halving: fewTable, kinds: { tasks: {}, groups: few.kinds } });
    expect(autoRules(fewModel, t, acc('new')).halving.keepShare).toBe(FALLBACK_SHARE);
  });

  it('halves at the plain share where the few groups of the kind history holds do not refute it', () => {
    // Four WER groups (fewer than the risk rule needs), each losing `at13` at share 1/3.
    const werModel = (lossesAt13: number[][]) => {
      const w = halving(4, wer('a'), [0, 0]);
      const units = w.table.units.map((u, g) => ({ ...u, losses: [...u.losses, lossesAt13[g] as number[]] }));
      return stubStopModel({
        halving: { params: [1, 0.5, FALLBACK_SHARE], units },
        kinds: { tasks: {}, groups: w.kinds },
      });
    };
    const within = werModel([[0], [0.5 * t, t], [t], [0]]);
    expect(autoRules(within, t, wer('a')).halving.keepShare).toBe(FALLBACK_SHARE);
    expect(plainHalvingHolds(within.halving, within.kinds.groups, wer('a'), t)).toBe(true);
    // One group over t on its mean, or one condition over 2 t: refuted, nothing is stopped.
    for (const refuted of [
      werModel([[0], [1.5 * t], [0], [0]]),
      werModel([[0], [0, 0, 2.5 * t], [0], [0]]),
    ]) {
      expect(plainHalvingHolds(refuted.halving, refuted.kinds.groups, wer('a'), t)).toBe(false);
      expect(autoRules(refuted, t, wer('a')).halving.keepShare).toBe(1);
    }
    // Accuracy history does not check a WER run, nor WER history an accuracy run.
    expect(plainHalvingHolds(within.halving, within.kinds.groups, acc('a'), t)).toBe(false);
  });

  it('gives the survivors’ plateau rule half of t, and halving the other half', () => {
    const a = halving(12, acc('a'), [0, 0.4 * t, 0.9 * t]);
    const names = a.table.units.map((u) => u.name);
    // Plateau losses: 0 for windows ≥ 0.5, 0.3 t-at-0.005 for 0.25.
    const model = stubStopModel({
      halving: a.table,
      plateau: plateau(names, [1, 0.5, 0.25], (w) => (w >= 0.5 ? 0 : 0.0015)),
      kinds: { tasks: a.kinds, groups: a.kinds },
    });
    const rules = autoRules(model, t, acc('a'));
    // Halving at t/2 = 0.005: 0.9 t = 0.009 is over it, 0.4 t = 0.004 within.
    expect(rules.halving.keepShare).toBe(0.5);
    expect(rules.survivors).toEqual({ window: 0.25, gain: 0.005 });
    // Below the grid no plateau rule stops the survivors.
    expect(autoRules(model, 0.0005, acc('a'))).toMatchObject({ survivors: null });
  });
});

describe('halvingChoice', () => {
  const t = 0.01;
  // Twelve accuracy groups of one family: at the default rungs every share is bounded (saving
  // 0.75 at 0.25); at η = 4 from 1/16 only 0.5 is (0.25 loses 3 t), saving 0.8 there.
  const base = halving(12, acc('a'), [0, 0, 0]);
  const other = (losses: number[], saved: number[]): RiskTable => ({
    params: [1, 0.5, 0.25],
    units: base.table.units.map((u) => ({ ...u, losses: losses.map((l) => [l, l, l]), saved })),
  });
  const kinds = { tasks: {}, groups: base.kinds };
  const rungs = [1 / 16, 1 / 4];

  it('keeps the default rungs without tables at other schedules, or where theirs saved less', () => {
    const old = stubStopModel({ halving: base.table, kinds });
    expect(halvingChoice(old, acc('a'), t)).toEqual({ rungs: HALVING_RUNGS, keepShare: 0.25 });
    const model = stubStopModel({
      halving: base.table,
      halvingSchedules: [{ rungs, table: other([0, 0, 3 * t], [0, 0.7, 0.9]) }],
      kinds,
    });
    expect(halvingChoice(model, acc('a'), t)).toEqual({ rungs: HALVING_RUNGS, keepShare: 0.25 });
  });

  it('takes the schedule whose bounded share saved history the most, and the rules follow it', () => {
    const model = stubStopModel({
      halving: base.table,
      halvingSchedules: [{ rungs, table: other([0, 0, 3 * t], [0, 0.8, 0.9]) }],
      kinds,
    });
    expect(halvingChoice(model, acc('a'), t)).toEqual({ rungs, keepShare: 0.5 });
    expect(autoRules(model, t, acc('a'))).toMatchObject({
      halvingLearned: true,
      halving: { rungs, keepShare: 0.5, minKeep: 2 },
    });
  });

  it('tests each schedule at its Bonferroni share of the confidence, so more schedules are more cautious', () => {
    // At share 0.25 half the groups lose 1.35 t: the mean's 90% bound passes (1.35 / 2 × (1 + 1.28 ×
    // 0.30) = 0.94), the 97.5% bound four schedules give each does not (1.07).
    const noisy: RiskTable = {
      ...base.table,
      units: base.table.units.map((u, g) => ({
        ...u,
        losses: [0, 0, g % 2 ? 1.35 * t : 0].map((l) => [l, l, l]),
      })),
    };
    const alone = stubStopModel({ halving: noisy, kinds });
    expect(halvingChoice(alone, acc('a'), t)).toEqual({ rungs: HALVING_RUNGS, keepShare: 0.25 });
    const weaker = other([0, 0, 3 * t], [0, 0.1, 0.2]);
    const four = stubStopModel({
      halving: noisy,
      halvingSchedules: [1 / 16, 1 / 32, 1 / 64].map((first) => ({ rungs: [first, 1 / 4], table: weaker })),
      kinds,
    });
    expect(halvingChoice(four, acc('a'), t)).toEqual({ rungs: HALVING_RUNGS, keepShare: 0.5 });
  });

  it('keeps the default rungs where another schedule saved exactly as much', () => {
    const model = stubStopModel({
      halving: base.table,
      halvingSchedules: [{ rungs, table: base.table }],
      kinds,
    });
    expect(halvingChoice(model, acc('a'), t)).toEqual({ rungs: HALVING_RUNGS, keepShare: 0.25 });
  });

  it('is null where no schedule has history enough of the run’s kind', () => {
    const model = stubStopModel({
      halving: base.table,
      halvingSchedules: [{ rungs, table: other([0, 0, 0], [0, 0.8, 0.9]) }],
      kinds,
    });
    expect(halvingChoice(model, wer('a'), t)).toBeNull();
  });
});
