import { expandSearch, parseSpec } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend';
import { resolveTrainRun } from '../train/resolve-run';
import { train } from '../train/train-run';

/**
 * Every built-in task family learns well above chance with nothing but its defaults: a spec that
 * names a task family and a model family, and nothing else. To keep CI short, a run is stopped
 * (through its abort signal) at its first full evaluation at or above `bar`; it may use its whole
 * default budget to get there, and fails the test if it never does.
 */
const CASES = [
  // task, model, EM to reach, chance (for the record): the odds of guessing the whole answer
  { task: 'add', model: 'mlp', bar: 0.5, chance: '1/1000 (a 4-digit sum)' },
  { task: 'reverse', model: 'gru', bar: 0.5, chance: '1/10^6 (6 symbols of 10)' },
  { task: 'sort', model: 'gru', bar: 0.5, chance: '1/5005 (sorted 6-multisets of 10)' },
  { task: 'kv-qa', model: 'gru', bar: 0.5, chance: '1/4 (copying one of the 4 values at random)' },
  { task: 'reverse', model: 'transformer', bar: 0.5, chance: '1/10^6' },
] as const;

async function trainWithDefaults(task: string, model: string, bar: number) {
  const parsed = parseSpec(
    JSON.stringify({ name: 'defaults', task: { family: task }, model: { family: model } }),
    {
      filename: 'defaults.json',
    },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const [config] = expandSearch(parsed.spec);
  const run = resolveTrainRun(parsed.spec, config as NonNullable<typeof config>);
  const stop = new AbortController();
  let reached: { em: number; tokens: number } | null = null;
  const backend = (await selectBackend()).name;
  const summary = await train(run, {
    backend,
    signal: stop.signal,
    onEval(e) {
      if (e.full && e.em >= bar && !reached) {
        reached = { em: e.em, tokens: e.tokens };
        stop.abort();
      }
    },
  });
  return {
    reached: reached as { em: number; tokens: number } | null,
    summary,
    budget: run.budgetTokens,
    backend,
  };
}

describe('defaults that learn', () => {
  it.each(CASES)(
    '$task with $model and every default reaches EM $bar (chance: $chance)',
    async ({ task, model, bar }) => {
      const { reached, summary, budget, backend } = await trainWithDefaults(task, model, bar);
      // One line for the log: what the defaults reached and when.
      console.log(
        `${task}/${model} on ${backend}: EM ${reached?.em ?? summary.deployedEm} after ${reached?.tokens ?? summary.tokensUsed} of ${budget} default budget tokens`,
      );
      expect(reached, `ended at EM ${summary.deployedEm} after ${summary.tokensUsed} tokens`).not.toBeNull();
      expect(reached?.em).toBeGreaterThanOrEqual(bar);
      expect(reached?.tokens).toBeLessThanOrEqual(budget);
    },
    600_000,
  );
});
