import { describe, expect, it } from 'vitest';
import { intFlag } from './args';

describe('intFlag', () => {
  it('takes the fallback when absent, and whole numbers from the minimum up', () => {
    expect(intFlag('up', 'workers', undefined, 0, 2)).toBe(2);
    expect(intFlag('worker', 'concurrency', undefined, 1)).toBeUndefined();
    expect(intFlag('up', 'workers', '0', 0, 2)).toBe(0);
    expect(intFlag('worker', 'concurrency', '3', 1)).toBe(3);
  });

  it('names the command, the flag, what it expects and the value', () => {
    expect(() => intFlag('up', 'workers', '-1', 0, 2)).toThrow(
      'curfew up: --workers must be a whole number, got "-1"',
    );
    expect(() => intFlag('worker', 'concurrency', '0', 1)).toThrow(
      'curfew worker: --concurrency must be a positive integer, got "0"',
    );
    expect(() => intFlag('demo', 'workers', '1.5', 1, 2)).toThrow(
      'curfew demo: --workers must be a positive integer, got "1.5"',
    );
    expect(() => intFlag('demo', 'workers', '', 1, 2)).toThrow('got ""');
  });
});
