import { describe, expect, it } from 'vitest';
import { isTransientError, retryTransient } from './transient-errors.js';

const coded = (code: string) => Object.assign(new Error('driver said no'), { code });

describe('transient errors', () => {
  it('classifies outages by code or message along the cause chain, and nothing else', () => {
    expect(isTransientError(coded('ECONNREFUSED'))).toBe(true);
    expect(isTransientError(new Error('Failed query: insert …', { cause: coded('57P01') }))).toBe(true);
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(coded('23505'))).toBe(false); // unique violation: a bug, not an outage
    expect(isTransientError(new Error('run x is cancelled'))).toBe(false);
    expect(isTransientError('ECONNREFUSED')).toBe(false);
  });

  it('retries a transient failure until it passes, and gives up on others at once', async () => {
    let calls = 0;
    const value = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 3) throw coded('ECONNRESET');
        return 'ok';
      },
      { initialDelayMs: 1 },
    );
    expect([value, calls]).toEqual(['ok', 3]);
    let other = 0;
    await expect(
      retryTransient(async () => {
        other += 1;
        throw new Error('bad request');
      }),
    ).rejects.toThrow('bad request');
    expect(other).toBe(1);
    await expect(
      retryTransient(
        async () => {
          throw coded('ECONNREFUSED');
        },
        { forMs: 20, initialDelayMs: 5 },
      ),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
