import { describe, expect, it } from 'vitest';
import { assertValidSpec, isSpecError, SpecError } from './spec-error.js';
import { formatPath, formatProblem } from './spec-problem.js';

describe('formatProblem', () => {
  it('prints file:line:col: path: message, leaving out an unknown position', () => {
    const problem = { path: 'budget.max_tokens_per_run', message: 'expected a positive integer, got -5' };
    expect(formatProblem('examples/bad.yaml', { ...problem, line: 4, column: 3 })).toBe(
      'examples/bad.yaml:4:3: budget.max_tokens_per_run: expected a positive integer, got -5',
    );
    expect(formatProblem('spec.yaml', { path: 'name', message: 'required' })).toBe(
      'spec.yaml: name: required',
    );
  });

  it('writes array indices in brackets', () => {
    expect(formatPath(['search', 'space', 'lr', 'loguniform', 0])).toBe('search.space.lr.loguniform[0]');
    expect(formatPath([])).toBe('(root)');
  });
});

describe('assertValidSpec', () => {
  it('returns the parsed spec', () => {
    const spec = assertValidSpec({ name: 'ok', task: { family: 'add' }, model: { family: 'mlp' } });
    expect(spec.resources.priority).toBe(5);
  });

  it('throws a SpecError listing every problem', () => {
    let caught: unknown;
    try {
      assertValidSpec(
        { name: 'ok', task: { family: 'add' }, model: { family: 'rnn' }, budget: {} },
        'job.json',
      );
    } catch (error) {
      caught = error;
    }
    expect(isSpecError(caught)).toBe(true);
    expect(caught).toBeInstanceOf(SpecError);
    const error = caught as SpecError;
    expect(error.name).toBe('SpecError');
    expect(error.problems).toEqual([
      { path: 'model.family', message: 'expected one of mlp, gru, transformer, module, got "rnn"' },
      { path: 'budget.max_tokens_per_run', message: 'required' },
    ]);
    expect(error.message).toBe(
      'invalid experiment spec (2 problems):\n' +
        'job.json: model.family: expected one of mlp, gru, transformer, module, got "rnn"\n' +
        'job.json: budget.max_tokens_per_run: required',
    );
  });

  it('is recognised by name, not by class identity', () => {
    expect(isSpecError({ name: 'SpecError', problems: [] })).toBe(true);
    expect(isSpecError(new Error('x'))).toBe(false);
    expect(isSpecError(null)).toBe(false);
  });
});
