import { type ExperimentSpec, formatProblem, loadSpecFile } from '@curfew/spec';
import type { CommandContext } from '../command';
import { CliError } from '../errors';
import { withSpecPaths } from './spec-paths';

/** Loads and validates a spec; a bad one prints one line per problem and fails (nothing written). */
export async function loadValidSpec(
  file: string,
  ctx: CommandContext,
  command: string,
): Promise<ExperimentSpec> {
  const result = await loadSpecFile(file);
  // Paths in the spec (trainer.cwd, task.file) are relative to its file: made absolute here.
  if (result.ok) return withSpecPaths(result.spec, file);
  for (const problem of result.problems) ctx.err(formatProblem(file, problem));
  throw new CliError(
    `curfew ${command}: ${file} is not a valid spec (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); nothing was submitted`,
  );
}
