import type { StopModel } from './stop-model';

/** Fewest other tasks of a task's metric kind in its fold's model for that model to judge it. */
export const MIN_OTHER_KIND_TASKS = 2;

/**
 * Which stop model judges a run of a task history already holds (the runs of its earlier
 * experiments, or of this one, that trained to their budget): the model fitted without the task's
 * fold, as a task never seen is judged, wherever that model holds at least `MIN_OTHER_KIND_TASKS`
 * other tasks of the task's metric kind; else the model of all history, in which the task's own
 * finished runs teach what no other task can.
 *
 * Why not always the model of all history: the runs a task gives history are the ones that
 * trained to their budget, the survivors of its stopping, and those are the runs no plateau came
 * early in. Judged by them, a task's own rules bound its losses less well than other tasks of its
 * kind do (`bench/own-history.ts`, accuracy curves across an experiment: the worst group 0.0222 →
 * 0.0284 and the groups over twice the tolerance 2.2 → 3.4% at 0.002, for no more saved). Where
 * history holds no other task of the kind, the fold's model can only fall back to its most cautious
 * defaults, and the task's own runs are the only history of its kind there is.
 */
export function modelForHistoryTask(
  task: string,
  withoutFold: StopModel | null,
  all: StopModel | null,
): StopModel | null {
  // Models of format 1 hold no kinds, of format 2 kinds as bare strings: the fold's model then.
  const metric = all?.kinds?.tasks?.[task]?.metric;
  if (all === null || typeof metric !== 'string' || metric === '') return withoutFold;
  const others = Object.values(withoutFold?.kinds?.tasks ?? {}).filter((k) => k?.metric === metric).length;
  return others >= MIN_OTHER_KIND_TASKS ? withoutFold : all;
}
