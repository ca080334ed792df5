import { ExperimentSpec } from './experiment-spec.js';
import { PolicySpec } from './policy-spec.js';
import { checkSpecConsistency } from './spec-consistency.js';
import { issuesToProblems, specErrorMap } from './spec-error-map.js';
import { formatPath, type Locate, type PathProblem, type SpecProblem } from './spec-problem.js';

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; problems: SpecProblem[] };

function toSpecProblems(problems: readonly PathProblem[], locate?: Locate): SpecProblem[] {
  const seen = new Set<string>();
  const out: SpecProblem[] = [];
  for (const problem of problems) {
    const path = formatPath(problem.path);
    const id = `${path}\u0000${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const where = locate?.(problem.path);
    out.push(where ? { path, message: problem.message, ...where } : { path, message: problem.message });
  }
  // Stable: problems without a position (missing top-level keys) first, then in file order.
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Validates already-parsed data (from YAML, JSON, a database row, a job payload) and reports
 * every problem at once. `locate` adds line and column to each problem.
 */
export function validateSpec(data: unknown, locate?: Locate): SpecResult {
  const result = ExperimentSpec.safeParse(data, { reportInput: true, error: specErrorMap });
  if (result.success) return { ok: true, spec: result.data };
  // Cross-section rules are skipped by zod once a field fails; run them on the raw input too.
  const problems = [...issuesToProblems(result.error.issues), ...checkSpecConsistency(data)];
  return { ok: false, problems: toSpecProblems(problems, locate) };
}

export type PolicyResult = { ok: true; policy: PolicySpec } | { ok: false; problems: SpecProblem[] };

/**
 * Validates a `policy:` section on its own (e.g. built from `curfew replay` flags): the same
 * schema and messages as in a spec, with paths relative to the section (`patience`, `min_delta`).
 */
export function validatePolicy(data: unknown): PolicyResult {
  const result = PolicySpec.safeParse(data, { reportInput: true, error: specErrorMap });
  if (result.success) return { ok: true, policy: result.data };
  return { ok: false, problems: toSpecProblems(issuesToProblems(result.error.issues)) };
}
