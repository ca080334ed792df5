import { describe, expect, it } from 'vitest';
import { bearerMatches } from './bearer-token.js';

describe('bearerMatches', () => {
  const token = 'c0ffee-c0ffee-c0ffee';
  it('accepts exactly the token, as a Bearer credential', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    for (const header of [
      undefined,
      '',
      token,
      `bearer ${token}`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      'Bearer ',
    ])
      expect(bearerMatches(header, token)).toBe(false);
  });
});
