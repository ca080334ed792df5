import type { ExperimentSpec } from '@curfew/spec';
import type { CommandContext } from '../command';
import { loadValidSpec } from '../experiments/load-valid-spec';
import { repoPath } from '../install-paths';

/** The demo's four experiments (examples/demo/). */
export interface DemoSpecs {
  history: [ExperimentSpec, ExperimentSpec];
  auto: ExperimentSpec;
  full: ExperimentSpec;
}

/** How much `--quick` shrinks budgets, eval intervals and validation sets. */
export const QUICK_FACTOR = 20;

/**
 * `--quick`: the same demo, every budget and eval interval 20× smaller and validation sets 4×,
 * so that it ends in about half a minute (a smoke test of the demo's path; its EMs are those of
 * runs stopped far before they learn).
 */
function quick(spec: ExperimentSpec): ExperimentSpec {
  const budget = spec.budget?.max_tokens_per_run;
  const every = spec.eval?.every_tokens;
  const params = spec.task.params as Record<string, unknown> | undefined;
  return {
    ...spec,
    task: {
      ...spec.task,
      params: { ...params, val_examples: Math.ceil(Number(params?.val_examples ?? 400) / 4) },
    },
    ...(budget ? { budget: { ...spec.budget, max_tokens_per_run: Math.round(budget / QUICK_FACTOR) } } : {}),
    ...(every ? { eval: { ...spec.eval, every_tokens: Math.round(every / QUICK_FACTOR) } } : {}),
  } as ExperimentSpec;
}

export async function loadDemoSpecs(ctx: CommandContext, options: { quick: boolean }): Promise<DemoSpecs> {
  const load = async (name: string) => {
    const spec = await loadValidSpec(repoPath('examples', 'demo', name), ctx, 'demo');
    return options.quick ? quick(spec) : spec;
  };
  const [reverse, sort, auto, full] = await Promise.all(
    ['history-reverse.yaml', 'history-sort.yaml', 'new-task-auto.yaml', 'new-task-full.yaml'].map(load),
  );
  return {
    history: [reverse as ExperimentSpec, sort as ExperimentSpec],
    auto: auto as ExperimentSpec,
    full: full as ExperimentSpec,
  };
}
