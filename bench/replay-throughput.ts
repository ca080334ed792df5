// Replay speed, side by side in one run, on every dev curve (or the files named):
// - the floor: reading and parsing the curve files (parseCurveFile, as `curfew replay` does);
// - each policy replayed in process (replayPolicy, run scope and experiment scope on 8 workers,
//   no history), in runs per second and as a multiple of the parse;
// - `curfew replay --curves … --policy P` as a user runs it (the bundled CLI, wall time of the
//   whole process: start, parse, replay, report), against its floor: `node -e 0` plus a cold
//   parse (a process cannot replay curves faster than it starts and reads them).
// Times are the median of ROUNDS.
//
//   nice -n 10 npx tsx bench/replay-throughput.ts [ROUNDS] [CURVES.jsonl...]      (default 3)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Curve,
  historyModels,
  POLICY_NAMES,
  type PolicyOptions,
  parseCurveFile,
  type ReplayScope,
  replayPolicy,
} from '@curfew/policies';
import { validatePolicy } from '@curfew/spec';
import { hostLine, printTable } from './bench-support';

const BIN = fileURLToPath(new URL('../apps/cli/bin/curfew.mjs', import.meta.url));
const DEV_CURVES = path.resolve(import.meta.dirname, '../../shared/curves/dev');
const ROUNDS = Number(process.argv[2] ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`bench: ROUNDS: expected a positive integer, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}
const named = process.argv.slice(3);
if (named.length === 0 && !existsSync(DEV_CURVES)) {
  console.error(`bench: no curves at ${DEV_CURVES}; name curve files after ROUNDS`);
  process.exit(2);
}
const FILES =
  named.length > 0
    ? named
    : readdirSync(DEV_CURVES)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => path.join(DEV_CURVES, f));

function medianMs(fn: () => void): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function parseAll(): Curve[] {
  const seen = new Map<string, string>();
  return FILES.flatMap((f) => parseCurveFile(readFileSync(f, 'utf8'), f, seen));
}

function optionsOf(name: string): PolicyOptions {
  const result = validatePolicy({ name });
  if (!result.ok) throw new Error(`policy ${name}: ${result.problems[0]?.message}`);
  return result.policy as PolicyOptions;
}

function cliMs(policy: string): number {
  return medianMs(() => {
    const result = spawnSync(process.execPath, [BIN, 'replay', '--curves', ...FILES, '--policy', policy], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`curfew replay --policy ${policy}: ${result.stderr}`);
  });
}

// Cold (the first parse in this process, as the CLI's only one is) and warm (median).
const parseStart = performance.now();
let curves: Curve[] = parseAll();
const coldParseMs = performance.now() - parseStart;
const parseMs = medianMs(() => {
  curves = parseAll();
});
const nodeMs = medianMs(() => spawnSync(process.execPath, ['-e', '0']));
/** What `curfew replay` cannot go below: a Node process starting and parsing the files cold. */
const floorMs = nodeMs + coldParseMs;
const modelFor = historyModels([]);
// meta needs history (it says so and replays nothing); the others run as `curfew replay` does.
const policies = POLICY_NAMES.filter((p) => p !== 'meta');
const replayMs = (name: string, scope: ReplayScope) =>
  medianMs(() => {
    replayPolicy({ curves, modelFor, options: optionsOf(name), scope, workers: 8, tolerance: 0.005 });
  });

const rows = policies.map((name) => {
  const run = replayMs(name, 'run');
  const experiment = replayMs(name, 'experiment');
  const cli = cliMs(name);
  return [
    name,
    ((curves.length * 1000) / run).toFixed(0),
    ((curves.length * 1000) / experiment).toFixed(0),
    (run / parseMs).toFixed(2),
    cli.toFixed(0),
    (cli / floorMs).toFixed(2),
  ];
});
console.log(hostLine());
console.log(
  `${curves.length} runs, ${curves.reduce((n, c) => n + c.evals.length, 0)} evals in ${FILES.length} files; ` +
    `parse ${parseMs.toFixed(0)} ms warm, ${coldParseMs.toFixed(0)} ms cold; node -e 0 ${nodeMs.toFixed(0)} ms; ` +
    `floor for the CLI (node -e 0 + cold parse) ${floorMs.toFixed(0)} ms; medians of ${ROUNDS}\n`,
);
printTable(
  [
    'policy',
    'runs/s (run scope)',
    'runs/s (experiment, 8 workers)',
    'replay / parse',
    'curfew replay ms',
    'curfew replay / floor',
  ],
  rows,
);
