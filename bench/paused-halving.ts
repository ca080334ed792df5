// What halving would save across an experiment if a run could wait at a rung (checkpointed, its
// worker freed) until every run of its experiment has reached the rung, instead of being let
// through because few peers have arrived (issue 12: tokens saved ≥ 90%). curfew cannot pause a
// run today; this bench measures whether building it is worth it, on the dev curves, before
// anyone does.
//
// Paused (synchronous) halving: at each rung every run of the group stands by its best so far at
// its first eval at or past the rung's fraction of its budget, as robust halving stands it; a run
// with at least max(minKeep, ⌊n · share⌋) runs ahead of it that have left chance (`leftChance`)
// stops at its rung eval, the others go on; a run whose eval crosses several rungs is judged once,
// at the last of them, as robust halving judges it; the survivors of the last rung train to their
// budget (no plateau rule). Every run reaches the rung before anyone is judged, so the decisions do not
// depend on the run order or the number of workers: one replay stands for all 18 of
// bench/replay-by-kind.ts.
//
// Three ways to choose its settings, side by side:
// - nested: each group judged by a rule chosen on the other folds' groups only (the folds of
//   `auto`'s stop models), the way `auto` chooses its halving (`halvingChoice`): for each rung
//   schedule `auto` may use, the most aggressive keep share the risk rule bounds over history's
//   groups of the run's kind (`matchHistory`: its family, or its kind's families as units), at
//   the confidence split among the schedules, and of those the one that saved history most; with
//   too little history of the kind, plain paused halving (1/{27,9,3}, share 1/3, at least 2) where
//   history's few groups of the kind do not refute it (`plainHalvingHolds`), nothing stopped for a
//   new family of a kind history holds many groups of (`newFamilyOfKnownKind`), else nothing. The
//   rule has the whole tolerance (auto gives halving half and the survivors' plateau rule the rest);
// - fixed: textbook settings, nothing chosen (η = 3 from 1/27, η = 4 from 1/64, at least 1 or 2);
// - pausing alone: paused against robust halving as `auto` runs it (asynchronous: a run is judged
//   at its rung eval against the peers standing there by then), the same rungs, keep share and
//   minimum, on the same runs (groups over 150 runs cut to the seeded sample `auto`'s halving
//   tables use), robust halving in its tables' 6 run orders and worker counts (`halvingTable`);
// - hindsight per kind: the setting of a grid with the most saved among those within the issue's
//   targets on the kind's own groups (mean regret ≤ tolerance, at most one group in ten over twice
//   it): chosen on the curves it is scored on, so an upper bound, not a result.
//
//   nice -n 10 npx tsx bench/paused-halving.ts [CURVES.jsonl...]   (default: ../shared/curves/dev/*.jsonl)
import {
  CHANCE_SHARE,
  type Curve,
  type CurveKind,
  chooseRule,
  createRobustHalvingPolicy,
  curveKind,
  DEFAULT_RISK_RULE,
  FALLBACK_SHARE,
  HALVING_RUNGS,
  HALVING_SCHEDULES,
  HALVING_SHARES,
  halvingTable,
  leftChance,
  MAX_GROUP_RUNS,
  MIN_KEEP,
  matchHistory,
  newFamilyOfKnownKind,
  plainHalvingHolds,
  type RiskTable,
  replay,
  StopModelTrainer,
  scoreStops,
  shuffledRuns,
} from '@curfew/policies';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { kindOf } from './nested-replay';

const curves: Curve[] = benchCurves('paused-halving.ts', process.argv.slice(2));
const TOLERANCES = [0.002, 0.005, 0.01, 0.02] as const;
const KINDS = ['loss', 'SSIM', 'accuracy', 'WER'] as const;
const TOKENS_EPS = 1e-9;
const SCHEDULES: readonly (readonly number[])[] = [HALVING_RUNGS, ...HALVING_SCHEDULES];

interface Setting {
  rungs: readonly number[];
  share: number;
  minKeep: number;
}

const shareLabel = (share: number) =>
  share === 0
    ? '0'
    : Math.abs(1 / share - Math.round(1 / share)) < 1e-6
      ? `1/${Math.round(1 / share)}`
      : share.toFixed(2);
const label = (s: Setting | null) =>
  s === null
    ? 'none stopped'
    : s.share >= 1
      ? 'share 1 (none stopped)'
      : `1/{${s.rungs.map((r) => Math.round(1 / r)).join(',')}} share ${shareLabel(s.share)} ≥${s.minKeep}`;

const groups = new Map<string, Curve[]>();
for (const c of curves) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
const groupNames = [...groups.keys()];
const kindOfGroup = (g: string) => kindOf((groups.get(g) as Curve[])[0]?.metric ?? '');
const curveKindOf: Record<string, CurveKind> = Object.fromEntries(
  groupNames.map((g) => {
    const c = (groups.get(g) as Curve[])[0] as Curve;
    return [g, curveKind(c.metric, c.mode, c.features)];
  }),
);

/** A run's first eval at or past `fraction` of its budget (its last if none is). */
function evalAt(c: Curve, fraction: number): number {
  const k = c.evals.findIndex((e) => e.tokens >= fraction * c.budgetTokens * (1 - TOKENS_EPS));
  return k < 0 ? c.evals.length - 1 : k;
}

/** Where each run of one group stops under paused halving (absent: it trains to its budget). */
function pausedStops(runs: readonly Curve[], s: Setting): Map<string, number> {
  const stops = new Map<string, number>();
  if (s.share >= 1) return stops;
  let alive = [...runs];
  for (const f of s.rungs) {
    const standing = alive.map((c) => {
      const sign = c.mode === 'max' ? 1 : -1;
      const k = evalAt(c, f);
      let best = Number.NEGATIVE_INFINITY;
      for (let i = 0; i <= k; i++) best = Math.max(best, sign * (c.evals[i]?.value as number));
      const first = c.evals[0]?.value as number;
      return { c, k, best, left: leftChance(first, best, c.mode, CHANCE_SHARE) };
    });
    const keep = Math.max(s.minKeep, Math.floor(alive.length * s.share + 1e-9));
    const next: Curve[] = [];
    for (const x of standing) {
      const ahead = standing.filter((y) => y !== x && y.left && y.best > x.best).length;
      // Judged once, at the last rung its eval crosses, as robust halving judges it: a run whose
      // eval here is also its eval at the next rung goes on to be judged there.
      const nextRung = s.rungs[s.rungs.indexOf(f) + 1];
      if (nextRung !== undefined && evalAt(x.c, nextRung) === x.k) next.push(x.c);
      else if (ahead >= keep) stops.set(x.c.id, x.k);
      else next.push(x.c);
    }
    alive = next;
  }
  return stops;
}

interface GroupResult {
  saved: number;
  regret: number;
}

const cache = new Map<string, GroupResult>();
function groupResult(g: string, s: Setting | null): GroupResult {
  const key = s === null ? `${g}|none` : `${g}|${s.rungs.join(',')}|${s.share}|${s.minKeep}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const runs = groups.get(g) as Curve[];
  const score = scoreStops(runs, s === null ? new Map() : pausedStops(runs, s));
  const r = { saved: score.groups[0]?.saved ?? 0, regret: score.groups[0]?.regret ?? 0 };
  cache.set(key, r);
  return r;
}

/** What paused halving at `rungs` lost on the groups `names`, per keep share (a risk table). */
function pausedTable(names: readonly string[], rungs: readonly number[]): RiskTable {
  return {
    params: [...HALVING_SHARES],
    units: names.map((g) => ({
      name: g,
      losses: HALVING_SHARES.map((share) => [groupResult(g, { rungs, share, minKeep: MIN_KEEP }).regret]),
      saved: HALVING_SHARES.map((share) => groupResult(g, { rungs, share, minKeep: MIN_KEEP }).saved),
    })),
  };
}

/** The nested rule for a group of kind `kind`, from the groups `history` (see the header). */
function nestedSetting(history: readonly string[], kind: CurveKind, tolerance: number): Setting | null {
  const rule = {
    ...DEFAULT_RISK_RULE,
    confidence: 1 - (1 - DEFAULT_RISK_RULE.confidence) / SCHEDULES.length,
  };
  let chosen: (Setting & { saved: number }) | null = null;
  let matchedAny = false;
  for (const rungs of SCHEDULES) {
    const matched = matchHistory(pausedTable(history, rungs), curveKindOf, kind);
    if (!matched) continue;
    matchedAny = true;
    const { index } = chooseRule(matched.table, tolerance, matched.weights, rule);
    if (index === null) continue;
    const weight = matched.weights.reduce((a, b) => a + b, 0);
    const saved =
      matched.table.units.reduce((s, u, k) => s + (matched.weights[k] as number) * (u.saved[index] ?? 0), 0) /
      weight;
    if (!chosen || saved > chosen.saved) {
      chosen = { rungs, share: matched.table.params[index] as number, minKeep: MIN_KEEP, saved };
    }
  }
  if (chosen) return { rungs: chosen.rungs, share: chosen.share, minKeep: chosen.minKeep };
  // History of the kind matched but no schedule's share passed: cannot happen while share 1 (none
  // stopped, no loss) is in the table; kept so a table without it stops nothing rather than
  // falling back to plain halving against history that refuted every share.
  if (matchedAny) return null;
  const plain = pausedTable(history, HALVING_RUNGS);
  if (newFamilyOfKnownKind(plain, curveKindOf, kind)) return null;
  return plainHalvingHolds(plain, curveKindOf, kind, tolerance)
    ? { rungs: HALVING_RUNGS, share: FALLBACK_SHARE, minKeep: MIN_KEEP }
    : null;
}

interface KindSummary {
  saved: number;
  regret: number;
  worst: number;
  worstGroup: string;
  overTol: number;
  overTwice: number;
}

function summarise(results: readonly (GroupResult & { group: string })[], tolerance: number): KindSummary {
  const n = results.length;
  const worst = results.reduce(
    (w, r) => (r.regret > w.regret ? r : w),
    results[0] as GroupResult & { group: string },
  );
  return {
    saved: results.reduce((s, r) => s + r.saved, 0) / n,
    regret: results.reduce((s, r) => s + r.regret, 0) / n,
    worst: worst.regret,
    worstGroup: worst.group,
    overTol: results.filter((r) => r.regret > tolerance + 1e-12).length / n,
    overTwice: results.filter((r) => r.regret > 2 * tolerance + 1e-12).length / n,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const cells = (s: KindSummary) => [
  pct(s.saved),
  s.regret.toFixed(4),
  `${s.worst.toFixed(4)} ${s.worst > 0 ? s.worstGroup : ''}`.trim(),
  pct(s.overTol),
  pct(s.overTwice),
];
const meets = (s: KindSummary, tolerance: number) =>
  s.regret <= tolerance + 1e-12 && s.overTwice <= 0.1 + 1e-12;

/** The replays of bench/replay-by-kind.ts: 6 run orders (the file's and 5 shuffles) × 1, 8, 32 workers. */
const REPLAYS = [0, 1, 2, 3, 4, 5].flatMap((seed) => [1, 8, 32].map((workers) => ({ seed, workers })));

interface AsyncSummary {
  saved: number;
  regret: number;
  worstReplay: number;
  worstGroup: number;
  overTwiceWorst: number;
  meetsEvery: boolean;
}

const asyncCache = new Map<string, AsyncSummary>();
/**
 * Robust halving (asynchronous, as `auto` runs it) at setting `s` on the groups `names`, every run
 * of each, in the 18 replays: the hindsight pick of paused halving run without the waiting.
 */
function robustAt(names: readonly string[], s: Setting, tolerance: number): AsyncSummary {
  const key = `${names.join(',')}|${s.rungs.join(',')}|${s.share}|${s.minKeep}|${tolerance}`;
  const hit = asyncCache.get(key);
  if (hit) return hit;
  const runs = names.flatMap((g) => groups.get(g) as Curve[]);
  const perReplay = REPLAYS.map(({ seed, workers }) => {
    const outcomes = replay(
      shuffledRuns(runs, seed),
      (c) =>
        createRobustHalvingPolicy(
          { id: c.id, budgetTokens: c.budgetTokens, mode: c.mode },
          { mode: c.mode, rungs: s.rungs, keepShare: s.share, minKeep: s.minKeep, chanceShare: CHANCE_SHARE },
        ),
      { scope: 'experiment', workers },
    );
    const stops = new Map(outcomes.map((o) => [o.id, o.stopIndex]));
    return summarise(
      names.map((g) => {
        const score = scoreStops(groups.get(g) as Curve[], stops);
        return { saved: score.groups[0]?.saved ?? 0, regret: score.groups[0]?.regret ?? 0, group: g };
      }),
      tolerance,
    );
  });
  const mean = (f: (k: KindSummary) => number) => perReplay.reduce((a, k) => a + f(k), 0) / perReplay.length;
  const r = {
    saved: mean((k) => k.saved),
    regret: mean((k) => k.regret),
    worstReplay: Math.max(...perReplay.map((k) => k.regret)),
    worstGroup: Math.max(...perReplay.map((k) => k.worst)),
    overTwiceWorst: Math.max(...perReplay.map((k) => k.overTwice)),
    meetsEvery: perReplay.every((k) => meets(k, tolerance)),
  };
  asyncCache.set(key, r);
  return r;
}

const started = Date.now();
const trainer = new StopModelTrainer(curves);
const foldOfGroup = new Map(
  groupNames.map((g) => [g, trainer.foldOf((groups.get(g) as Curve[])[0]?.task ?? '') ?? -1]),
);
const folds = trainer.options.folds;
console.log(
  `${curves.length} runs, ${groupNames.length} groups, ${folds} outer folds; ` +
    KINDS.map((k) => `${k} ${groupNames.filter((g) => kindOfGroup(g) === k).length}`).join(', ') +
    ' groups',
);

const FIXED: readonly (readonly [string, Setting])[] = [
  ['fixed η=3 1/{27,9,3} ≥1', { rungs: [1 / 27, 1 / 9, 1 / 3], share: 1 / 3, minKeep: 1 }],
  ['fixed η=3 1/{27,9,3} ≥2', { rungs: [1 / 27, 1 / 9, 1 / 3], share: 1 / 3, minKeep: 2 }],
  ['fixed η=4 1/{64,16,4} ≥1', { rungs: [1 / 64, 1 / 16, 1 / 4], share: 1 / 4, minKeep: 1 }],
  ['fixed η=4 1/{64,16,4} ≥2', { rungs: [1 / 64, 1 / 16, 1 / 4], share: 1 / 4, minKeep: 2 }],
];
const GRID: Setting[] = [
  [1 / 27, 1 / 9, 1 / 3],
  [1 / 81, 1 / 27, 1 / 9, 1 / 3],
  [1 / 16, 1 / 4],
  [1 / 64, 1 / 16, 1 / 4],
  [1 / 100, 1 / 10],
  [1 / 256, 1 / 64, 1 / 16, 1 / 4],
  [1 / 9, 1 / 3],
  [1 / 4],
].flatMap((rungs) =>
  [1 / 2, 1 / 3, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 0].flatMap((share) =>
    [1, 2, 3].map((minKeep) => ({ rungs, share, minKeep })),
  ),
);

const rows: string[][] = [];
const chosenRows: string[][] = [];
const overall: string[][] = [];
const asyncRows: string[][] = [];
for (const tolerance of TOLERANCES) {
  const nested = new Map<string, GroupResult & { group: string; setting: Setting | null }>();
  for (const g of groupNames) {
    const history = groupNames.filter((h) => foldOfGroup.get(h) !== foldOfGroup.get(g));
    const setting = nestedSetting(history, curveKindOf[g] as CurveKind, tolerance);
    nested.set(g, { ...groupResult(g, setting), group: g, setting });
  }
  const all = {
    nested: [] as (GroupResult & { group: string })[],
    hindsight: [] as (GroupResult & { group: string })[],
  };
  for (const kind of KINDS) {
    const names = groupNames.filter((g) => kindOfGroup(g) === kind);
    const n = summarise(
      names.map((g) => nested.get(g) as GroupResult & { group: string }),
      tolerance,
    );
    all.nested.push(...names.map((g) => nested.get(g) as GroupResult & { group: string }));
    rows.push([String(tolerance), kind, 'nested', ...cells(n), meets(n, tolerance) ? 'yes' : 'no']);
    const settings = new Map<string, number>();
    for (const g of names) {
      const l = label(nested.get(g)?.setting ?? null);
      settings.set(l, (settings.get(l) ?? 0) + 1);
    }
    chosenRows.push([
      String(tolerance),
      kind,
      [...settings].map(([l, count]) => `${l} ×${count}`).join('; '),
    ]);
    for (const [name, s] of FIXED) {
      const f = summarise(
        names.map((g) => ({ ...groupResult(g, s), group: g })),
        tolerance,
      );
      rows.push([String(tolerance), kind, name, ...cells(f), meets(f, tolerance) ? 'yes' : 'no']);
    }
    let best: { s: Setting; sum: KindSummary } | null = null;
    for (const s of GRID) {
      const sum = summarise(
        names.map((g) => ({ ...groupResult(g, s), group: g })),
        tolerance,
      );
      if (meets(sum, tolerance) && (!best || sum.saved > best.sum.saved)) best = { s, sum };
    }
    if (best) {
      rows.push([String(tolerance), kind, `hindsight: ${label(best.s)}`, ...cells(best.sum), 'yes']);
      all.hindsight.push(...names.map((g) => ({ ...groupResult(g, best.s), group: g })));
      const a = robustAt(names, best.s, tolerance);
      asyncRows.push([
        String(tolerance),
        kind,
        label(best.s),
        pct(best.sum.saved),
        pct(a.saved),
        `${a.regret.toFixed(4)} (${a.worstReplay.toFixed(4)})`,
        a.worstGroup.toFixed(4),
        pct(a.overTwiceWorst),
        a.meetsEvery ? 'yes' : 'no',
      ]);
    } else {
      rows.push([String(tolerance), kind, 'hindsight: none within the targets', '', '', '', '', '', '']);
    }
  }
  const nAll = summarise(all.nested, tolerance);
  overall.push([String(tolerance), 'nested', ...cells(nAll), meets(nAll, tolerance) ? 'yes' : 'no']);
  if (all.hindsight.length === groupNames.length) {
    const h = summarise(all.hindsight, tolerance);
    overall.push([String(tolerance), 'hindsight per kind', ...cells(h), meets(h, tolerance) ? 'yes' : 'no']);
  }
}
const PAUSE_SHARES = [FALLBACK_SHARE, 0.19, 0.13, 1 / 9] as const;
const PAUSE_SCHEDULES: readonly (readonly number[])[] = [HALVING_RUNGS, [1 / 64, 1 / 16, 1 / 4]];
const sampled = new Map(
  groupNames.map((g) => {
    const runs = groups.get(g) as Curve[];
    return [
      g,
      runs.length <= MAX_GROUP_RUNS ? runs : shuffledRuns(runs, runs.length).slice(0, MAX_GROUP_RUNS),
    ];
  }),
);
const pauseRows: string[][] = [];
for (const rungs of PAUSE_SCHEDULES) {
  const table = halvingTable([...sampled.values()].flat(), rungs);
  const unitOf = new Map(table.units.map((u) => [u.name, u]));
  for (const kind of KINDS) {
    const names = groupNames.filter((g) => kindOfGroup(g) === kind);
    for (const share of PAUSE_SHARES) {
      const q = HALVING_SHARES.findIndex((x) => Math.abs(x - share) < 1e-9);
      const units = names.map((g) => unitOf.get(g) as RiskTable['units'][number]);
      const conditions = (units[0]?.losses[q] ?? []).length;
      const meanOver = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const asyncSaved = meanOver(units.map((u) => u.saved[q] as number));
      const asyncRegret = meanOver(units.map((u) => meanOver(u.losses[q] as number[])));
      const worstReplay = Math.max(
        ...Array.from({ length: conditions }, (_, c) =>
          meanOver(units.map((u) => u.losses[q]?.[c] as number)),
        ),
      );
      const worstGroup = Math.max(...units.flatMap((u) => u.losses[q] as number[]));
      const paused = names.map((g) => {
        const runs = sampled.get(g) as Curve[];
        const score = scoreStops(runs, pausedStops(runs, { rungs, share, minKeep: MIN_KEEP }));
        return { saved: score.groups[0]?.saved ?? 0, regret: score.groups[0]?.regret ?? 0 };
      });
      pauseRows.push([
        kind,
        label({ rungs, share, minKeep: MIN_KEEP }),
        pct(asyncSaved),
        pct(meanOver(paused.map((r) => r.saved))),
        `${asyncRegret.toFixed(4)} (${worstReplay.toFixed(4)})`,
        meanOver(paused.map((r) => r.regret)).toFixed(4),
        worstGroup.toFixed(4),
        Math.max(...paused.map((r) => r.regret)).toFixed(4),
      ]);
    }
  }
}
console.log(
  '\npausing alone: robust halving as auto runs it (mean of its 6 run orders and worker counts, worst in brackets) against paused, ' +
    'same rungs, share and minimum 2, same runs (groups cut to ≤ 150 runs)',
);
printTable(
  [
    'kind',
    'setting',
    'saved, robust',
    'saved, paused',
    'mean regret, robust',
    'mean regret, paused',
    'worst group, robust',
    'worst group, paused',
  ],
  pauseRows,
);
console.log(
  '\npaused halving, experiment scope, per kind (mean over the kind groups; one replay stands for every run order and worker count)',
);
printTable(
  [
    'tolerance',
    'kind',
    'setting',
    'saved',
    'mean regret',
    'worst group',
    '> tol',
    '> 2× tol',
    'within the targets',
  ],
  rows,
);
console.log('\nall 37 groups together (mean over groups)');
printTable(
  ['tolerance', 'setting', 'saved', 'mean regret', 'worst group', '> tol', '> 2× tol', 'within the targets'],
  overall,
);
console.log(
  '\nthe hindsight pick without the waiting: robust halving (asynchronous) at the same setting, every run, 18 replays (mean, worst replay in brackets)',
);
printTable(
  [
    'tolerance',
    'kind',
    'setting',
    'saved, paused',
    'saved, robust',
    'mean regret, robust',
    'worst group, robust',
    '> 2× tol, worst replay',
    'within the targets in every replay',
  ],
  asyncRows,
);
console.log('\nwhat the nested rule chose (groups per setting)');
printTable(['tolerance', 'kind', 'settings'], chosenRows);
console.log(`aim (issue 12): mean regret ≤ tolerance, ≤ 1 group in 10 over 2× tolerance, saved ≥ 90%`);
console.log(`${((Date.now() - started) / 1000).toFixed(1)} s; ${hostLine()}`);
