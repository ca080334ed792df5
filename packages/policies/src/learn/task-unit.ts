import type { Curve } from '../replay/curve';

/**
 * The unit a task is held out by when history is split into folds: the task, less the marks of
 * the same workload run again under other rules or another framework (a trailing `@version`, and
 * `_<framework>` when the curve's `features.framework` names it). AlgoPerf's
 * `criteo1tb_jax@v06` and `criteo1tb_pytorch` are one workload; judged apart they would each be
 * judged by history that had seen the other.
 */
export function taskUnit(curve: Pick<Curve, 'task' | 'features'>): string {
  let unit = curve.task.replace(/@[^/@]*$/, '');
  const framework = curve.features.framework;
  if (typeof framework === 'string' && framework && unit.endsWith(`_${framework}`)) {
    unit = unit.slice(0, -framework.length - 1);
  }
  return unit;
}
