/**
 * A task's name in run history: its family and parameters sorted by name, as in
 * `reverse(length=4,vocab=8)`. The worker's stop models, `curfew runs --export curves` and the
 * meta-learner all name live runs' tasks with it, so one task is one task wherever it is read.
 */
export function taskKey(
  task: { family?: unknown; name?: unknown; file?: unknown; module?: unknown; params?: unknown } | undefined,
): string {
  const params =
    task?.params !== null && typeof task?.params === 'object' ? (task.params as Record<string, unknown>) : {};
  const pairs = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`);
  return `${taskName(task)}(${pairs.join(',')})`;
}

/** A built-in family's name, or `custom:<name>` for a command trainer's own task. */
export function taskName(
  task: { family?: unknown; name?: unknown; file?: unknown; module?: unknown } | undefined,
): string {
  if (task?.family === 'custom' && typeof task.name === 'string') return `custom:${task.name}`;
  if (task?.family === 'file' && typeof task.file === 'string')
    return `file:${task.file.split(/[\\/]/).pop() ?? task.file}`;
  if (task?.family === 'module' && typeof task.module === 'string')
    return `module:${task.module.split(/[\\/]/).pop() ?? task.module}`;
  return typeof task?.family === 'string' ? task.family : 'unknown';
}
