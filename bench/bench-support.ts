// Shared by the trainer benches: which TF.js backends load on this host, experiment specs turned
// into TrainRuns the way the scheduler does it, and plain right-aligned tables.
import { cpus, loadavg } from 'node:os';
import { type ExperimentSpecInput, expandSearch, formatProblem, parseSpec } from '@curfew/spec';
import {
  BACKEND_NAMES,
  type BackendName,
  resolveTrainRun,
  selectBackend,
  type TrainRun,
} from '@curfew/trainer';

export interface BackendProbe {
  name: BackendName;
  /** Why the backend did not load; null when it did. */
  unavailable: string | null;
}

/** Tries every backend, best first; a backend that fails to load is reported, not fatal. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await selectBackend(name);
      probes.push({ name, unavailable: null });
    } catch (error) {
      if ((error as Error).name !== 'BackendError') throw error;
      // The message is worded for CURFEW_BACKEND; the reason is its last parenthesis.
      const message = (error as Error).message;
      probes.push({ name, unavailable: /unavailable \((.*)\)$/s.exec(message)?.[1] ?? message });
    }
  }
  return probes;
}

/** The runs of a spec, as the scheduler expands and the worker resolves them. */
export function specRuns(spec: ExperimentSpecInput): TrainRun[] {
  const filename = `${spec.name}.json`;
  const parsed = parseSpec(JSON.stringify(spec), { filename });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => formatProblem(filename, p)).join('\n'));
  return expandSearch(parsed.spec).map((config) => resolveTrainRun(parsed.spec, config));
}

/** One line about the host: timings on a shared machine are only comparable within one run. */
export function hostLine(): string {
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  return `host: ${cpus().length} CPUs, load average ${load}, node ${process.version}`;
}

/** A plain table: first column left-aligned, the others right-aligned. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
}

export const percent = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/** The positional argument `index` of process.argv as a positive integer, else `fallback`; exits 2 on a bad one. */
export function positiveInt(index: number, fallback: number): number {
  const raw = process.argv[index];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: argument ${index - 1}: expected a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}
