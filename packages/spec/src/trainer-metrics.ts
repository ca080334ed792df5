/**
 * The metrics the built-in trainer reports at every eval, which is what a spec's
 * `policy.monitor` may watch: Exact Match, validation loss, perplexity, training loss.
 */
export const TRAINER_METRICS = ['em', 'loss', 'perplexity', 'train_loss'] as const;
export type TrainerMetric = (typeof TRAINER_METRICS)[number];
