import type { StopModel } from '@curfew/policies';
import { describe, expect, it } from 'vitest';
import { STOP_MODELS_KIND, type StoredStopModels, stopModelFor } from './stop-models.js';

// Only `kinds` takes part in the choice: each model here is what a stored version's JSON holds of it.
const model = (name: string, tasks: Record<string, string>): StopModel =>
  ({
    name,
    kinds: {
      tasks: Object.fromEntries(Object.entries(tasks).map(([t, metric]) => [t, { metric, family: '' }])),
      groups: {},
    },
  }) as unknown as StopModel;

describe('stopModelFor', () => {
  const acc = 'accuracy:max';
  const wer = 'error-rate:min';
  // Fold 0 holds the image tasks a and b, fold 1 the speech task s: fold 0's model was fitted on s
  // alone, fold 1's on a and b.
  const all = model('all', { a: acc, b: acc, s: wer });
  const fold0 = model('without fold 0', { s: wer });
  const fold1 = model('without fold 1', { a: acc, b: acc });
  const stored: StoredStopModels = {
    kind: STOP_MODELS_KIND,
    foldOfTask: { a: 0, b: 0, s: 1 },
    models: { all, 0: fold0, 1: fold1 },
    selection: 'own-history',
  };

  it('judges a task history does not hold by the model of all history', () => {
    expect(stopModelFor(stored, 'new')).toBe(all);
    expect(stopModelFor({ ...stored, models: { ...stored.models, all: null } }, 'new')).toBeNull();
  });

  it('judges a task of history by its own finished runs where its fold’s model lacks its kind', () => {
    // Fold 0's model holds one accuracy task fewer than two: a and b are judged by all of history.
    expect(stopModelFor(stored, 'a')).toBe(all);
    const more = model('without fold 0', { s: wer, c: acc, d: acc });
    expect(stopModelFor({ ...stored, models: { ...stored.models, 0: more } }, 'a')).toBe(more);
    // A fold whose model could not be validated: the one of all history.
    expect(stopModelFor({ ...stored, models: { ...stored.models, 0: null } }, 'a')).toBe(all);
    expect(stopModelFor(stored, 's')).toBe(all);
  });

  it('keeps the fold’s model for versions stored before the rule, so their logs replay as decided', () => {
    const { selection: _, ...older } = stored;
    expect(stopModelFor(older, 'a')).toBe(fold0);
    expect(stopModelFor(older, 's')).toBe(fold1);
    expect(stopModelFor(older, 'new')).toBe(all);
  });
});
