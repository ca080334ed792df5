// What incremental validation buys: every run of a small sweep (task families x lrs x seeds,
// stopped by `patience` on em or by `auto`, which without history is the noise-aware threshold
// rule) is trained twice with the same seed, scoring a growing sample of the validation set
// (incrementalValidation: true) and the whole set at every eval (false), side by side in one
// run. Per run and overall: validation tokens, the share saved, the stop step of each and whether
// they agree, deployed EM of each. Training is identical in both up to the earlier stop (same
// seed, same batches; only what the evals report differs), so the full run's EM at a step is the
// truth the sampled EM of the incremental run is checked against.
//
// summary.valTokens leaves out the final re-scoring of a deployed checkpoint that was chosen on a
// sample (train() scores it on the full set once, at the end); the `inc val` column adds it back.
//
//   npx tsx bench/incremental-validation.ts [FAMILY...]      (default: every family below)
import type { ExperimentSpecInput } from '@curfew/spec';
import {
  exampleTokens,
  generateTask,
  selectBackend,
  type TrainEval,
  type TrainRun,
  type TrainSummary,
  train,
} from '@curfew/trainer';
import { hostLine, percent, printTable, specRuns } from './bench-support';

const VAL_EXAMPLES = 1_000;
const BATCH = 32;
/** Steps of the full budget and between two evals (30 evals). */
const BUDGET_STEPS = 300;
const EVAL_STEPS = 10;

interface Family {
  name: string;
  task: { family: string; params: Record<string, unknown> };
  model: { family: string; params: Record<string, unknown> };
  lrs: [number, number];
  budgetSteps?: number;
}

const mlp = { family: 'mlp', params: { hidden: 128, layers: 2, batch_size: BATCH } } as const;
const families: Family[] = [
  { name: 'add', task: { family: 'add', params: { digits: 2 } }, model: mlp, lrs: [0.003, 0.01] },
  { name: 'sort', task: { family: 'sort', params: { length: 5, vocab: 8 } }, model: mlp, lrs: [0.003, 0.01] },
  {
    name: 'reverse',
    task: { family: 'reverse', params: { length: 5, vocab: 8 } },
    model: mlp,
    lrs: [0.001, 0.003],
  },
  {
    name: 'kv-qa',
    task: { family: 'kv-qa', params: { pairs: 2, key_length: 1, value_length: 1, vocab: 8 } },
    model: mlp,
    lrs: [0.003, 0.01],
  },
  {
    name: 'reverse-gru',
    task: { family: 'reverse', params: { length: 4, vocab: 8 } },
    model: { family: 'gru', params: { units: 32, embedding: 16, batch_size: BATCH } },
    lrs: [0.01, 0.02],
    budgetSteps: 200,
  },
];

const policies = {
  patience: { name: 'patience', monitor: 'em', patience: 4 },
  auto: { name: 'auto' },
} as const satisfies Record<string, ExperimentSpecInput['policy']>;

/** One spec per family and policy (seed 1 for patience, 2 for auto), a grid over two lrs. */
function sweep(family: Family): TrainRun[] {
  const params = { ...family.task.params, train_examples: 3_000, val_examples: VAL_EXAMPLES };
  const task = { ...family.task, params } as Parameters<typeof generateTask>[0];
  const example = generateTask(task).train[0];
  if (!example) throw new Error(`${family.name}: the task has no training examples`);
  const stepTokens = BATCH * exampleTokens(example);
  return Object.entries(policies).flatMap(([policyName, policy], i) =>
    specRuns({
      name: `${family.name}-${policyName}`,
      task,
      model: { ...family.model, params: { ...family.model.params, seed: i + 1 } },
      search: { method: 'grid', space: { lr: { choice: family.lrs } } },
      budget: { max_tokens_per_run: (family.budgetSteps ?? BUDGET_STEPS) * stepTokens },
      eval: { every_tokens: EVAL_STEPS * stepTokens },
      policy,
    }),
  );
}

interface Outcome {
  summary: TrainSummary;
  evals: TrainEval[];
  seconds: number;
  /** Validation tokens including the deployed checkpoint's final re-scoring. */
  valTokens: number;
}

async function trainOnce(run: TrainRun, incrementalValidation: boolean): Promise<Outcome> {
  const evals: TrainEval[] = [];
  const t0 = performance.now();
  const summary = await train({ ...run, incrementalValidation }, { onEval: (e) => void evals.push(e) });
  const seconds = (performance.now() - t0) / 1000;
  const fullEvalTokens = evals[0]?.valTokens ?? 0;
  const best = evals.find((e) => e.step === summary.bestStep);
  const rescored = best !== undefined && !best.full;
  return { summary, evals, seconds, valTokens: summary.valTokens + (rescored ? fullEvalTokens : 0) };
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !families.some((f) => f.name === w));
if (unknown.length > 0) {
  console.error(
    `bench: unknown family ${unknown.join(', ')}; expected ${families.map((f) => f.name).join(', ')}`,
  );
  process.exit(2);
}
const runs = families.filter((f) => wanted.length === 0 || wanted.includes(f.name)).flatMap(sweep);
const backend = (await selectBackend()).name;

console.log(
  `incremental validation vs full validation: ${runs.length} runs trained twice with the same seed, ${VAL_EXAMPLES} val examples, ${BUDGET_STEPS / EVAL_STEPS} evals at most (20 for reverse-gru)`,
);
console.log(
  'policies: patience (monitor em, patience 4, min_delta 0; seed 1), auto (tolerance 0.005; no history, so the threshold rule; seed 2)',
);
console.log(`${hostLine()}, backend ${backend}`);

interface Pair {
  run: TrainRun;
  inc: Outcome;
  full: Outcome;
}

const pairs: Pair[] = [];
for (const run of runs) {
  const inc = await trainOnce(run, true);
  const full = await trainOnce(run, false);
  pairs.push({ run, inc, full });
}

const stopOf = (o: Outcome) => `${o.summary.steps} ${o.summary.stopReason ?? ''}`.trim();
const emOf = (o: Outcome) => o.summary.deployedEm ?? Number.NaN;
const sameStop = (p: Pair) => p.inc.summary.steps === p.full.summary.steps;
const saved = (inc: number, full: number) => (full > 0 ? 1 - inc / full : 0);

console.log();
printTable(
  [
    'run',
    'lr',
    'evals',
    'sampled',
    'inc val',
    'full val',
    'saved',
    'stop inc',
    'stop full',
    'same',
    'EM inc',
    'EM full',
  ],
  pairs.map(({ run, inc, full }) => [
    run.runId,
    String(run.model.params.lr),
    `${inc.evals.length}/${full.evals.length}`,
    String(inc.evals.filter((e) => !e.full).length),
    String(inc.valTokens),
    String(full.valTokens),
    percent(saved(inc.valTokens, full.valTokens)),
    stopOf(inc),
    stopOf(full),
    inc.summary.steps === full.summary.steps ? 'yes' : 'NO',
    emOf(inc).toFixed(3),
    emOf(full).toFixed(3),
  ]),
);

/** Totals of a subset of the runs. */
function totals(subset: readonly Pair[]) {
  const sum = (f: (p: Pair) => number) => subset.reduce((s, p) => s + f(p), 0);
  const incTokens = sum((p) => p.inc.valTokens);
  const fullTokens = sum((p) => p.full.valTokens);
  const incEvals = sum((p) => p.inc.evals.length);
  const fullEvals = sum((p) => p.full.evals.length);
  return {
    runs: subset.length,
    incTokens,
    fullTokens,
    saved: saved(incTokens, fullTokens),
    savedPerEval: saved(incTokens / incEvals, fullTokens / fullEvals),
    sameStop: subset.filter(sameStop).length,
    emInc: sum((p) => emOf(p.inc)) / subset.length,
    emFull: sum((p) => emOf(p.full)) / subset.length,
    maxEmGap: Math.max(...subset.map((p) => Math.abs(emOf(p.inc) - emOf(p.full)))),
    trainInc: sum((p) => p.inc.summary.tokensUsed),
    trainFull: sum((p) => p.full.summary.tokensUsed),
    secondsInc: sum((p) => p.inc.seconds),
    secondsFull: sum((p) => p.full.seconds),
  };
}

console.log(
  '\noverall (val: validation tokens, with the deployed re-scoring; per eval: saved per eval, so runs that stop at different steps weigh alike; train: training tokens; s: wall seconds)',
);
const groups: [string, Pair[]][] = [
  ['all runs', pairs],
  ...Object.keys(policies).map((name): [string, Pair[]] => [
    `policy ${name}`,
    pairs.filter((p) => p.run.policy.name === name),
  ]),
];
printTable(
  [
    'runs',
    'n',
    'inc val',
    'full val',
    'saved',
    'per eval',
    'same stop',
    'EM inc',
    'EM full',
    'max |dEM|',
    'inc train',
    'full train',
    'inc s',
    'full s',
  ],
  groups.map(([label, subset]) => {
    const t = totals(subset);
    return [
      label,
      String(t.runs),
      String(t.incTokens),
      String(t.fullTokens),
      percent(t.saved),
      percent(t.savedPerEval),
      `${t.sameStop}/${t.runs} ${percent(t.sameStop / t.runs, 0)}`,
      t.emInc.toFixed(4),
      t.emFull.toFixed(4),
      t.maxEmGap.toFixed(3),
      String(t.trainInc),
      String(t.trainFull),
      t.secondsInc.toFixed(0),
      t.secondsFull.toFixed(0),
    ];
  }),
);
const all = totals(pairs);
console.log(
  `targets: validation tokens saved ${percent(all.saved)} (target >= 50%): ${all.saved >= 0.5 ? 'met' : 'NOT met'}; same stop step ${percent(all.sameStop / all.runs)} (target >= 95%): ${all.sameStop / all.runs >= 0.95 ? 'met' : 'NOT met'}`,
);

/** Evals both runs reached (training is the same up to the earlier stop). */
function common(p: Pair): { inc: TrainEval; full: TrainEval; i: number }[] {
  const n = Math.min(p.inc.evals.length, p.full.evals.length);
  return Array.from({ length: n }, (_, i) => ({
    inc: p.inc.evals[i] as TrainEval,
    full: p.full.evals[i] as TrainEval,
    i,
  }));
}

// How good the sampled verdicts were: each sampled eval against the full set's EM at that step.
// Sampled evals that became the new best are split out: a sample is accepted only once its
// interval clears the best, so the accepted values are biased upwards (the winner's curse), and
// a biased best is what later evals and the deployed checkpoint are measured against.
const verdicts = { beats: { n: 0, error: 0, absError: 0 }, below: { n: 0, error: 0, absError: 0 } };
let wrongVerdicts = 0;
/** Validation tokens the sampled new bests would have cost more if scored in full. */
let newBestTopUp = 0;
let sameTraining = true;
for (const p of pairs) {
  let best = Number.NEGATIVE_INFINITY;
  let before = 0;
  const fullEvalTokens = p.full.evals[0]?.valTokens ?? 0;
  for (const { inc, full } of common(p)) {
    if (inc.step !== full.step || inc.trainLoss !== full.trainLoss) sameTraining = false;
    if (!inc.full) {
      const v = inc.em > best ? verdicts.beats : verdicts.below;
      v.n += 1;
      v.error += inc.em - full.em;
      v.absError += Math.abs(inc.em - full.em);
      if (inc.em > best !== full.em > best) wrongVerdicts += 1;
      if (inc.em > best) newBestTopUp += fullEvalTokens - (inc.valTokens - before);
    }
    before = inc.valTokens;
    best = Math.max(best, inc.em);
  }
}
console.log(
  `\ntraining identical in both modes up to the earlier stop (same steps and train loss at every common eval): ${sameTraining ? 'yes' : 'NO'}`,
);
console.log('sampled evals against the full set at the same step (training is the same)');
printTable(
  ['  sampled evals', 'n', 'mean EM error', 'mean |EM error|'],
  Object.entries(verdicts).map(([label, v]) => [
    `  ${label === 'beats' ? 'accepted as a new best' : 'accepted as below the best'}`,
    String(v.n),
    (v.error / Math.max(1, v.n)).toFixed(4),
    (v.absError / Math.max(1, v.n)).toFixed(4),
  ]),
);
console.log(
  `the verdict "beats the best so far" was wrong on ${wrongVerdicts} of ${verdicts.beats.n + verdicts.below.n}; scoring the sampled new bests in full as well would have cost ${newBestTopUp} more validation tokens (saved ${percent(saved(all.incTokens + newBestTopUp, all.fullTokens))} instead of ${percent(all.saved)}, stops unchanged assumed)`,
);

// Why the runs that ended differently did: the evals where the two runs disagreed on "beats the
// best so far" or on the decision, with the eval that set the incremental run's best (its EM on
// the sample, and on the full set) — and which checkpoint each deployed.
interface Best {
  step: number;
  em: number;
  /** Examples scored, when the eval was a sample. */
  sampled: number | null;
  /** EM of the same step on the full set (from the full run). */
  trueEm: number;
}
const showBest = (b: Best | null) =>
  b === null
    ? '-'
    : `${b.step}: ${b.em.toFixed(3)}${b.sampled ? ` (${b.sampled}, full ${b.trueEm.toFixed(3)})` : ''}`;

function explain(p: Pair): void {
  const rows: string[][] = [];
  let bestInc: Best | null = null;
  let bestFull: Best | null = null;
  let disagreements = 0;
  for (const { inc, full } of common(p)) {
    const beatsInc = bestInc === null || inc.em > bestInc.em;
    const beatsFull = bestFull === null || full.em > bestFull.em;
    if (beatsInc !== beatsFull || inc.decision !== full.decision) {
      disagreements += 1;
      if (rows.length < 6)
        rows.push([
          `  ${inc.step}`,
          `${inc.em.toFixed(3)}${inc.full ? '' : ` (${inc.valExamples})`}`,
          full.em.toFixed(3),
          showBest(bestInc),
          bestFull?.em.toFixed(3) ?? '-',
          `${beatsInc ? 'yes' : 'no'} / ${beatsFull ? 'yes' : 'no'}`,
          `${inc.decision} / ${full.decision}`,
        ]);
    }
    if (beatsInc)
      bestInc = { step: inc.step, em: inc.em, sampled: inc.full ? null : inc.valExamples, trueEm: full.em };
    if (beatsFull) bestFull = { step: full.step, em: full.em, sampled: null, trueEm: full.em };
  }
  console.log(
    `\n${p.run.runId} (lr ${p.run.model.params.lr}): stop ${stopOf(p.inc)} vs ${stopOf(p.full)}; deployed EM ${emOf(p.inc).toFixed(3)} vs ${emOf(p.full).toFixed(3)}, checkpoint of step ${p.inc.summary.bestStep} vs ${p.full.summary.bestStep}; ${disagreements} disagreements${rows.length < disagreements ? `, first ${rows.length}` : ''}`,
  );
  if (rows.length > 0)
    printTable(
      [
        '  step',
        'inc EM (n)',
        'full EM',
        'inc best so far: step: EM (n, full)',
        'full best',
        'beats best inc / full',
        'decision inc / full',
      ],
      rows,
    );
}

const differing = pairs.filter((p) => !sameStop(p) || emOf(p.inc) !== emOf(p.full));
if (differing.length > 0) console.log('\nruns that ended differently');
for (const p of differing) explain(p);
