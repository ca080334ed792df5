import type { TaskDefaults } from './task.js';

/** Epochs the provisional budget allows. */
const PROVISIONAL_EPOCHS = 8;
/** Evals the provisional budget allows. */
const PROVISIONAL_EVALS = 40;

/**
 * PROVISIONAL: ≈ 8 epochs of training tokens with 40 evals, a placeholder until the default
 * models are trained on each family and the budget at which they plateau is measured. Replace
 * these numbers with measured ones then; keep it a pure function of the task parameters.
 */
export function provisionalDefaults(trainExamples: number, tokensPerExample: number): TaskDefaults {
  const budgetTokens = trainExamples * tokensPerExample * PROVISIONAL_EPOCHS;
  return { budgetTokens, evalEveryTokens: Math.max(1, Math.round(budgetTokens / PROVISIONAL_EVALS)) };
}
