import type { TrainRun } from './train/types';

/** A run small enough for unit tests on the plain JS backend (well under a second per run). */
export function tinyRun(overrides: Partial<TrainRun> = {}): TrainRun {
  return {
    runId: 'tiny/0',
    task: {
      family: 'reverse',
      params: { length: 3, vocab: 5, train_examples: 80, val_examples: 40, seed: 1 },
    },
    model: {
      family: 'mlp',
      params: {
        hidden: 16,
        layers: 1,
        dropout: 0,
        lr: 0.02,
        batch_size: 8,
        optimizer: 'adam',
        weight_decay: 0,
        seed: 3,
      },
    },
    budgetTokens: 4_800,
    evalEveryTokens: 480,
    policy: { name: 'none' },
    ...overrides,
  };
}
