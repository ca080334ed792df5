// How fast the installed `curfew` starts: `curfew --version` and `curfew --help` against `node -e 0`
// (Node starting and doing nothing), timed side by side in one run, interleaved so that a busy
// machine slows every command alike. The bin runs the bundle `npm ci` builds (apps/cli/dist).
//
//   npx tsx bench/cli-startup.ts [ROUNDS]      (default 15 rounds)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { hostLine } from './bench-support';

const BIN = fileURLToPath(new URL('../apps/cli/bin/curfew.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../apps/cli/dist/curfew.js', import.meta.url));
const rounds = Number(process.argv[2] ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`cli-startup: ROUNDS must be a positive integer, got "${process.argv[2]}"`);
  process.exit(2);
}
if (!existsSync(DIST)) {
  console.error('cli-startup: apps/cli/dist is missing; run npm run build:cli (npm ci does it)');
  process.exit(1);
}

const COMMANDS: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['curfew --version', [BIN, '--version']],
  ['curfew --help', [BIN, '--help']],
];

function wallMs(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const times = new Map<string, number[]>(COMMANDS.map(([name]) => [name, []]));
for (const [, args] of COMMANDS) wallMs(args); // warm the file cache
for (let round = 0; round < rounds; round++)
  for (const [name, args] of COMMANDS) times.get(name)?.push(wallMs(args));

console.log(hostLine());
console.log(`${rounds} rounds, median wall time of each command, interleaved:`);
const baseline = median(times.get('node -e 0') ?? []);
for (const [name] of COMMANDS) {
  const ms = median(times.get(name) ?? []);
  const min = Math.min(...(times.get(name) ?? []));
  console.log(
    `  ${name.padEnd(18)} ${ms.toFixed(0).padStart(5)} ms  (fastest ${min.toFixed(0).padStart(4)} ms)  ${(ms / baseline).toFixed(2)}× node -e 0`,
  );
}
