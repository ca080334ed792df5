// Training throughput of every TF.js backend, side by side in one run: for the same runs (an MLP
// on add, a GRU on reverse), training tokens per second, achieved GFLOP/s (the trainer's
// trainFlops, ≈ 3 × forward FLOPs per example, over the training seconds) and the ratio to the
// plain JS `cpu` backend. Backends that do not load here are listed with the reason, so the same
// bench on a GPU host shows node-gpu and node as well.
//
// Each backend and model is warmed up first (at least 5 steps and 3 s: kernels, allocator),
// then timed for about SECONDS on a run whose budget is never reached and whose evals never come
// (eval.every_tokens = budget): the clock runs from `onStart` (data and model built) until the
// run, aborted by its signal, returns. So no validation happens in the timed window, and slower
// backends simply get through fewer tokens of the same model. Backends and models are measured
// model by model, so the two sides of a ratio are close in time. cpu% is the CPU time the process
// got over wall time: below 100% a busy host slowed it down (tokens/cpu-s corrects for that on
// the single-threaded wasm and cpu backends; native backends use several threads).
//
//   npx tsx bench/trainer.ts [SECONDS]      (default 12)
import type { BackendName } from '@curfew/trainer';
import { hostLine, printTable, probeBackends } from './bench-support';
import { type BenchModel, benchModel, type Timed, timedTrain, VAL_EXAMPLES, WARMUP } from './timed-train';

const targetSeconds = Number(process.argv[2] ?? 12);
if (!(targetSeconds > 0)) {
  console.error(`bench: SECONDS: expected a positive number, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}
const models: BenchModel[] = [
  benchModel('mlp 2x256 on add (3 digits)', {
    name: 'bench-mlp-add',
    task: { family: 'add', params: { digits: 3, train_examples: 20_000, val_examples: VAL_EXAMPLES } },
    model: { family: 'mlp', params: { hidden: 256, layers: 2, lr: 0.003, batch_size: 64, seed: 1 } },
    policy: { name: 'none' },
  }),
  benchModel('gru 64 on reverse (6)', {
    name: 'bench-gru-reverse',
    task: {
      family: 'reverse',
      params: { length: 6, vocab: 10, train_examples: 20_000, val_examples: VAL_EXAMPLES },
    },
    model: { family: 'gru', params: { units: 64, embedding: 32, lr: 0.003, batch_size: 64, seed: 1 } },
    policy: { name: 'none' },
  }),
];

interface Measurement {
  backend: BackendName;
  model: BenchModel;
  timed: Timed;
}

console.log(
  `trainer throughput per backend: training tokens/s and GFLOP/s, no validation in the timed window, ~${targetSeconds}s per measurement`,
);
console.log(hostLine());
const probes = await probeBackends();
for (const p of probes)
  console.log(`  ${p.name.padEnd(9)}${p.unavailable ? `not available (${p.unavailable})` : 'available'}`);
const available = probes.filter((p) => p.unavailable === null).map((p) => p.name);

const measurements: Measurement[] = [];
for (const model of models) {
  for (const backend of available) {
    await timedTrain(model, backend, 1, WARMUP);
    const timed = await timedTrain(model, backend, Number.POSITIVE_INFINITY, {
      seconds: targetSeconds,
      steps: 0,
    });
    measurements.push({ backend, model, timed });
  }
}

const rate = (m: Measurement) => m.timed.summary.tokensUsed / m.timed.seconds;
const perCpuSecond = (m: Measurement) => rate(m) / m.timed.cpuShare;
const rows = measurements.map((m) => {
  const { summary, seconds, cpuShare } = m.timed;
  const cpu = measurements.find((c) => c.backend === 'cpu' && c.model === m.model);
  return [
    m.model.label,
    m.backend,
    String(summary.paramCount),
    (summary.trainFlops / summary.tokensUsed / 1e3).toFixed(1),
    String(summary.steps),
    String(summary.tokensUsed),
    seconds.toFixed(1),
    `${(cpuShare * 100).toFixed(0)}%`,
    rate(m).toFixed(0),
    perCpuSecond(m).toFixed(0),
    (summary.trainFlops / seconds / 1e9).toFixed(3),
    cpu ? `${(rate(m) / rate(cpu)).toFixed(2)}x` : '-',
    cpu ? `${(perCpuSecond(m) / perCpuSecond(cpu)).toFixed(2)}x` : '-',
  ];
});
console.log();
printTable(
  [
    'model',
    'backend',
    'params',
    'kFLOP/tok',
    'steps',
    'tokens',
    'train s',
    'cpu%',
    'tokens/s',
    'tok/cpu-s',
    'GFLOP/s',
    'vs cpu',
    'per cpu-s',
  ],
  rows,
);
console.log(
  '\nkFLOP/tok: training FLOPs per training token (3 x forward); vs cpu: tokens/s (= GFLOP/s, same model) over the plain JS\nbackend measured just before or after; per cpu-s: the same ratio in tokens per CPU second (steadier on a busy host)',
);
