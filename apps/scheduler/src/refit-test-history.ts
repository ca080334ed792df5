import { loadCurvesAsHistory } from '@curfew/meta';
import type { Curve } from '@curfew/policies';
import type { StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';

/** Synthetic EM curves for the refit's tests: `tasks` tasks of `runs` runs × `evals` evals each. */
export function syntheticHistory(shape: {
  tasks: number;
  runs: number;
  evals: number;
  lr: (run: number) => number;
  value: (task: number, run: number, evalIndex: number) => number;
}): Curve[] {
  return Array.from({ length: shape.tasks }, (_, t) => t).flatMap((t) =>
    Array.from({ length: shape.runs }, (_, i) => ({
      id: `t${t + 1}/${i}`,
      task: `t${t + 1}`,
      group: `t${t + 1}`,
      metric: 'em',
      mode: 'max' as const,
      budgetTokens: shape.evals * 100,
      features: { family: 'add', lr: shape.lr(i) },
      evals: Array.from({ length: shape.evals }, (_, k) => ({
        step: k + 1,
        tokens: (k + 1) * 100,
        value: shape.value(t, i, k),
      })),
      source: `t${t + 1}:${i}`,
    })),
  );
}

/** The curves as finished runs of live experiments (the stop models learn from those: a spec with a task). */
export async function seedHistory(db: StoreDatabase, curves: Curve[]): Promise<void> {
  await loadCurvesAsHistory(db, curves);
  await db.execute(
    sql`UPDATE experiments SET spec = spec || jsonb_build_object('task', jsonb_build_object('family', 'add', 'params', jsonb_build_object('digits', right(id, 1)::int)))`,
  );
}
