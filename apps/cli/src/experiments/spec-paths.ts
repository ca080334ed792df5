import path from 'node:path';
import type { ExperimentSpec } from '@curfew/spec';

/**
 * The paths a spec names, as stored: relative to the spec file's folder, made absolute at submit
 * (workers do not know where the spec was). A command trainer's `cwd` (the folder itself when
 * none is given), a file task's `file`, a module task's `module` and a module model's `module`.
 */
export function withSpecPaths(spec: ExperimentSpec, specFile: string): ExperimentSpec {
  const folder = path.dirname(path.resolve(specFile));
  let out = spec;
  if (out.trainer?.command)
    out = { ...out, trainer: { ...out.trainer, cwd: path.resolve(folder, out.trainer.cwd ?? '.') } };
  if (out.task.family === 'file')
    out = { ...out, task: { ...out.task, file: path.resolve(folder, out.task.file) } };
  if (out.task.family === 'module')
    out = { ...out, task: { ...out.task, module: path.resolve(folder, out.task.module) } };
  if (out.model?.family === 'module')
    out = { ...out, model: { ...out.model, module: path.resolve(folder, out.model.module) } };
  return out;
}
