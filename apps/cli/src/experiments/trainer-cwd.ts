import path from 'node:path';
import type { ExperimentSpec } from '@curfew/spec';

/**
 * A command trainer's working directory as stored: relative to the spec file's folder (the
 * folder itself when none is given), made absolute at submit, since workers do not know where
 * the spec was.
 */
export function withTrainerCwd(spec: ExperimentSpec, specFile: string): ExperimentSpec {
  if (!spec.trainer) return spec;
  const cwd = path.resolve(path.dirname(path.resolve(specFile)), spec.trainer.cwd ?? '.');
  return { ...spec, trainer: { ...spec.trainer, cwd } };
}
