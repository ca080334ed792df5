import { describe, expect, it } from 'vitest';
import { stubStopModel } from '../test-support';
import type { CurveKind } from './curve-kind';
import { modelForHistoryTask } from './own-history';
import type { StopModel } from './stop-model';

const kind = (metric: string, family = 'image'): CurveKind => ({ metric, family });
const modelOf = (tasks: Record<string, CurveKind>) => stubStopModel({ kinds: { tasks, groups: {} } });

describe('modelForHistoryTask', () => {
  const withoutFold = modelOf({
    a: kind('accuracy:max'),
    b: kind('accuracy:max'),
    c: kind('loss:min', 'lm'),
  });
  const all = modelOf({
    ...withoutFold.kinds.tasks,
    own: kind('accuracy:max'),
    speech: kind('error-rate:min', 'speech'),
  });

  it('judges a task as a new one where other folds hold enough of its kind', () => {
    expect(modelForHistoryTask('own', withoutFold, all)).toBe(withoutFold);
  });

  it("lets a task's own finished runs judge it where no other fold holds its kind", () => {
    expect(modelForHistoryTask('speech', withoutFold, all)).toBe(all);
    // One other task of the kind is too few (MIN_OWN_KIND_TASKS is 2).
    const one = modelOf({ x: kind('error-rate:min', 'speech') });
    expect(modelForHistoryTask('speech', one, all)).toBe(all);
    // The fold's model could not be validated at all: the one of all history.
    expect(modelForHistoryTask('speech', null, all)).toBe(all);
  });

  it('keeps the fold model where the task or its kind is unknown to all of history', () => {
    expect(modelForHistoryTask('unknown', withoutFold, all)).toBe(withoutFold);
    expect(modelForHistoryTask('speech', withoutFold, null)).toBe(withoutFold);
  });

  it('keeps the fold model for models of older formats, which hold no kinds or kinds as strings', () => {
    const format1 = { ...all, kinds: undefined } as unknown as StopModel;
    expect(modelForHistoryTask('speech', withoutFold, format1)).toBe(withoutFold);
    const format2 = {
      ...all,
      kinds: { tasks: { speech: 'error-rate:min' }, groups: {} },
    } as unknown as StopModel;
    expect(modelForHistoryTask('speech', withoutFold, format2)).toBe(withoutFold);
    expect(modelForHistoryTask('speech', format1, all)).toBe(all);
  });
});
