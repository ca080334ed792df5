/** Where a token-driven schedule is evaluated. */
export interface LrAtInput {
  /** Training tokens used so far. */
  tokens: number;
  /** The run's full budget in tokens. */
  budgetTokens: number;
  /** The learning rate the schedule starts from (the run's configured lr). */
  baseLr: number;
}
