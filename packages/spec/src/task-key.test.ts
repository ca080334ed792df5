import { describe, expect, it } from 'vitest';
import { taskKey } from './task-key.js';

describe('taskKey', () => {
  it('names a task by family and parameters sorted by name, whatever order they came in', () => {
    expect(taskKey({ family: 'reverse', params: { vocab: 8, length: 4 } })).toBe('reverse(length=4,vocab=8)');
    expect(taskKey({ family: 'reverse', params: { length: 4, vocab: 8 } })).toBe('reverse(length=4,vocab=8)');
  });

  it('tells tasks with other parameters apart and names what it cannot read', () => {
    expect(taskKey({ family: 'add', params: { digits: 3 } })).not.toBe(
      taskKey({ family: 'add', params: { digits: 2 } }),
    );
    expect(taskKey({ family: 'add' })).toBe('add()');
    expect(taskKey(undefined)).toBe('unknown()');
    expect(taskKey({ family: 7, params: 'x' })).toBe('unknown()');
  });
});
