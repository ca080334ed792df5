import { describe, expect, it } from 'vitest';
import { intFlag, numberFlag, parseCommandArgs } from './args';

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

describe('numberFlag', () => {
  const interval = (value: string | undefined) =>
    numberFlag('watch', 'interval', value, { min: 0.2, unit: 'seconds' }, 1);

  it('takes the fallback when absent, and numbers from the minimum up', () => {
    expect(interval(undefined)).toBe(1);
    expect(interval('0.5')).toBe(0.5);
    expect(interval('0.2')).toBe(0.2);
  });

  it('refuses what is not a number, or too small, naming the flag and the value', () => {
    expect(() => interval('abc')).toThrow(
      'curfew watch: --interval must be a number of seconds (at least 0.2), got "abc"',
    );
    expect(() => interval('0')).toThrow('got "0"');
    expect(() => interval('')).toThrow('got ""');
    expect(() => interval('Infinity')).toThrow('got "Infinity"');
  });
});

describe('parseCommandArgs', () => {
  const options = {
    format: { type: 'string', short: 'f' },
    patience: { type: 'string' },
    'restore-best': { type: 'boolean' },
  } as const;

  it('takes an argument with whitespace as a positional, even when it starts with dashes', () => {
    const { values, positionals } = parseCommandArgs('sql', ['-- x\rcommit', '-f', 'json'], options);
    expect(positionals).toEqual(['-- x\rcommit']);
    expect(values.format).toBe('json');
  });

  it('keeps values that look like options, and booleans written as words', () => {
    const parsed = parseCommandArgs(
      'replay',
      ['--patience', '-1', '--restore-best', 'false', 'a', '--', '-b'],
      options,
    );
    expect(parsed.values).toMatchObject({ patience: '-1' });
    expect(parsed.values['restore-best']).toBeUndefined();
    expect(parsed.positionals).toEqual(['a', '-b']);
  });

  it('refuses an unknown option in one line, with a suggestion', () => {
    expect(() => parseCommandArgs('sql', ['--formt', 'csv'], options)).toThrow(
      'curfew sql: unknown option --formt (did you mean --format?) (see curfew sql --help)',
    );
  });
});
