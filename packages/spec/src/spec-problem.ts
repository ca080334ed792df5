/**
 * One mistake in a spec: where (`search.space.lr.loguniform[0]`, or `(syntax)` / `(file)` /
 * `(root)`), what was expected and what was got, and the 1-based line and column when known.
 */
export interface SpecProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** A problem whose path is still a list of keys and indices (before locating and formatting). */
export interface PathProblem {
  path: readonly PropertyKey[];
  message: string;
}

/** `search.space.lr.loguniform[0]`; the empty path is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += (out === '' ? '' : '.') + String(segment);
  }
  return out === '' ? '(root)' : out;
}

/** `examples/bad.yaml:4:3: budget.max_tokens_per_run: expected a positive integer, got -5`. */
export function formatProblem(filename: string, problem: SpecProblem): string {
  const where =
    problem.line === undefined
      ? filename
      : `${filename}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${where}: ${problem.path}: ${problem.message}`;
}

/** Line and column (1-based) of the node at a path, or undefined when unknown. */
export type Locate = (path: readonly PropertyKey[]) => { line: number; column: number } | undefined;

/** A parsed YAML or JSON text, with a way back from paths to positions; or its syntax problems. */
export type SourceResult =
  | { ok: true; data: unknown; locate: Locate }
  | { ok: false; problems: SpecProblem[] };
