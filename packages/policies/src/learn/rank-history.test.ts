import { describe, expect, it } from 'vitest';
import type { Curve } from '../replay/curve';
import { neededShares, rankHistoryOf } from './rank-history';

/** A run of `group` with one eval per 100 tokens of a 1,000-token budget. */
function curve(group: string, i: number, values: number[], mode: Curve['mode'] = 'max'): Curve {
  return {
    id: `${group}-${i}`,
    task: group,
    group,
    metric: 'em',
    mode,
    budgetTokens: 1_000,
    features: {},
    evals: values.map((value, k) => ({ step: k + 1, tokens: (k + 1) * 100, value })),
    source: `${group}-${i}`,
  };
}

/** Ten runs; run 0 ends best (0.9) but starts slowly; run 1 ends 0.003 behind and leads early. */
function group(name: string, mode: Curve['mode'] = 'max'): Curve[] {
  const sign = mode === 'max' ? 1 : -1;
  const runs = [
    [0.1, 0.2, 0.9],
    [0.8, 0.85, 0.897],
    ...Array.from({ length: 8 }, (_, k) => [0.3 + 0.05 * k, 0.3 + 0.05 * k, 0.5]),
  ];
  return runs.map((v, i) =>
    curve(
      name,
      i,
      v.map((x) => sign * x),
      mode,
    ),
  );
}

describe('rankHistoryOf', () => {
  it('keeps, per group and fraction, the front of (gap, share to keep by standing)', () => {
    const history = rankHistoryOf([...group('a'), ...group('b')], [0.1, 0.3], 'best-so-far');
    expect(history.groups).toHaveLength(2);
    const [at01, at03] = history.groups[0] ?? [];
    // At 0.1: run 1 leads (keep 1/10, gap 0.003); run 0 is last (keep 10/10, gap 0) — both on the front.
    expect(at01).toEqual([
      { gap: 0, keep: 1 },
      { gap: expect.closeTo(0.003, 9), keep: 0.1 },
    ]);
    // At 0.3 (its third and last eval), run 0 stands first: the front is the single entry it makes.
    expect(at03).toEqual([{ gap: 0, keep: 0.1 }]);
  });

  it('ranks a loss with lower as better, the same as the metric it mirrors', () => {
    const max = rankHistoryOf([...group('a'), ...group('b')], [0.1], 'value-at');
    const min = rankHistoryOf([...group('a', 'min'), ...group('b', 'min')], [0.1], 'value-at');
    expect(min.groups).toEqual(max.groups);
  });

  it('ranks by best so far only the runs that have got that far', () => {
    // Run 0 of group a stopped after its first eval (100 tokens) with 0.95: at 0.3 it stands nowhere.
    const a = group('a').map((c, i) =>
      i === 0 ? { ...c, evals: c.evals.slice(0, 1).map((e) => ({ ...e, value: 0.95 })) } : c,
    );
    const history = rankHistoryOf([...a, ...group('b')], [0.1, 0.3], 'best-so-far');
    // At 0.1 it stands first (and is the best of the group); at 0.3 run 1 is the best of nine.
    expect(history.groups[0]?.[0]).toEqual([{ gap: 0, keep: 0.1 }]);
    expect(history.groups[0]?.[1]).toEqual([{ gap: 0, keep: 1 / 9 }]);
  });

  it('leaves out groups too small to show a share below 1/9', () => {
    const small = group('c').slice(0, 8);
    expect(rankHistoryOf([...group('a'), ...small], [0.1], 'value-at').groups).toHaveLength(1);
  });
});

describe('neededShares', () => {
  const history = rankHistoryOf([...group('a'), ...group('b')], [0.1, 0.3], 'best-so-far');

  it('needs, per fraction, the largest over groups of the least share keeping a run within the tolerance', () => {
    expect(neededShares(history, 0.005)).toEqual([0.1, 0.1]);
    // Within 0.001 only run 0 counts, last of ten at 0.1.
    expect(neededShares(history, 0.001)).toEqual([1, 0.1]);
  });

  it('says nothing with fewer than two groups', () => {
    expect(neededShares(rankHistoryOf(group('a'), [0.1], 'value-at'), 0.005)).toBeNull();
  });
});
