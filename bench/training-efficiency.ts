// Training against the backend's own floor, side by side in one run: for each TF.js backend that
// loads here and each task family's default model (mlp on add, gru on reverse, every parameter at
// its default), training tokens/s and achieved GFLOP/s (the trainer's trainFlops over training
// seconds, no validation in the timed window: bench/timed-train.ts), against the GFLOP/s the same
// backend reaches on a bare tf.matMul measured in the same run, at the model's own layer shape
// (batch × width × width) and at 512³ (the backend's best case). Ratio ≥ 50% is the aim. Both
// sides count GFLOP per CPU second: wasm and cpu run on one thread, so a shared host that takes
// the CPU away mid-run slows both sides without moving the ratio (tokens/s stays wall time).
//
//   nice -n 10 npx tsx bench/training-efficiency.ts [SECONDS]      (default 6 per measurement)
import { type BackendName, selectBackend } from '@curfew/trainer';
import * as tf from '@tensorflow/tfjs';
import { hostLine, percent, printTable, probeBackends } from './bench-support';
import { type BenchModel, benchModel, timedTrain, VAL_EXAMPLES, WARMUP } from './timed-train';

const SECONDS = Number(process.argv[2] ?? 6);
if (!(SECONDS > 0)) {
  console.error(`bench: SECONDS: expected a positive number, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}

interface DefaultModel extends BenchModel {
  /** The widest layer's matmul: batch × width × width. */
  shape: [number, number, number];
}

function defaultModel(label: string, family: 'add' | 'reverse', model: 'mlp' | 'gru'): DefaultModel {
  const bench = benchModel(label, {
    name: `eff-${model}-${family}`,
    task: { family, params: { train_examples: 20_000, val_examples: VAL_EXAMPLES } },
    model: { family: model },
    policy: { name: 'none' },
  });
  const p = bench.run.model.params;
  const width = Number(model === 'mlp' ? p.hidden : p.units);
  return { ...bench, shape: [Number(p.batch_size), width, model === 'mlp' ? width : 3 * width] };
}

const MODELS = [
  defaultModel('mlp (defaults) on add', 'add', 'mlp'),
  defaultModel('gru (defaults) on reverse', 'reverse', 'gru'),
];

/** CPU seconds this process used since `from` (wasm and cpu run on one thread: immune to a busy host). */
const cpuSecondsSince = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};

/**
 * GFLOP per CPU second of tf.matMul [m,k]×[k,n] on the active backend, for about `seconds`, after a warm-up:
 * as training chains its ops, results are read back once per batch of products (enough of them
 * for ~4 MFLOP), so a small matmul is not timed as a readback.
 */
function matmulGflops([m, k, n]: [number, number, number], seconds: number): number {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  try {
    const reps = Math.max(1, Math.ceil(4e6 / (2 * m * k * n)));
    const once = () =>
      tf.tidy(() => {
        let last = tf.matMul(a, b);
        for (let r = 1; r < reps; r++) last = tf.matMul(a, b);
        last.dataSync();
      });
    for (let i = 0; i < 3; i++) once();
    let ops = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - started < seconds * 1000) {
      once();
      ops += reps;
    }
    return (2 * m * k * n * ops) / cpuSecondsSince(cpu) / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}

async function measure(backend: BackendName, model: DefaultModel): Promise<string[]> {
  await timedTrain(model, backend, 1, WARMUP);
  const { summary, seconds, cpuShare } = await timedTrain(model, backend, Number.POSITIVE_INFINITY, {
    seconds: SECONDS,
    steps: 0,
  });
  await selectBackend(backend);
  const atShape = matmulGflops(model.shape, SECONDS / 2);
  const peak = matmulGflops([512, 512, 512], SECONDS / 2);
  // Per CPU second, like the matmul: a busy host slows both without changing the ratio.
  const gflops = summary.trainFlops / (seconds * cpuShare) / 1e9;
  return [
    model.label,
    backend,
    (summary.tokensUsed / seconds).toFixed(0),
    `${(cpuShare * 100).toFixed(0)}%`,
    gflops.toFixed(3),
    `${model.shape.join('×')}: ${atShape.toFixed(3)}`,
    peak.toFixed(3),
    percent(gflops / atShape, 0),
    percent(gflops / peak, 0),
  ];
}

console.log(hostLine());
const probes = await probeBackends();
for (const p of probes) if (p.unavailable) console.log(`  ${p.name}: not available (${p.unavailable})`);
const rows: string[][] = [];
for (const model of MODELS)
  for (const probe of probes.filter((p) => p.unavailable === null))
    rows.push(await measure(probe.name, model));
console.log(
  `\n~${SECONDS} s of training and ${SECONDS} s of matmul per row; GFLOP per CPU second (cpu%: CPU the training got)\n`,
);
printTable(
  [
    'model',
    'backend',
    'tokens/s',
    'cpu%',
    'train GFLOP/cpu-s',
    'matmul at layer shape',
    'matmul 512³',
    'of shape',
    'of 512³',
  ],
  rows,
);
