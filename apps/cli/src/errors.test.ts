import { describe, expect, it } from 'vitest';
import { CliError, describeFailure } from './errors';

const socketError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeFailure', () => {
  it('prints an expected error as its message, with its exit code', () => {
    expect(describeFailure(new CliError('curfew x: bad', 2), 'x')).toEqual({
      message: 'curfew x: bad',
      exitCode: 2,
    });
  });

  it('turns a database or Redis that went away mid-command into one line, whatever wraps it', () => {
    const refused = socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const wrapped = new Error('Failed query: select 1', { cause: refused });
    expect(describeFailure(wrapped, 'watch')).toEqual({
      message:
        'curfew watch: lost the connection to the database or Redis (connect ECONNREFUSED 127.0.0.1:5432); check that they are running (curfew status) and try again',
      exitCode: 1,
    });
    const shutdown = socketError('57P01', 'terminating connection due to administrator command');
    expect(describeFailure(shutdown, 'status')?.message).toContain(
      '(terminating connection due to administrator command)',
    );
    expect(describeFailure(new Error('Connection terminated unexpectedly'), 'runs')?.exitCode).toBe(1);
  });

  it('leaves a bug alone, so that it keeps its stack trace', () => {
    expect(describeFailure(new TypeError('x is undefined'), 'status')).toBeUndefined();
    expect(describeFailure(socketError('42P01', 'relation "x" does not exist'), 'status')).toBeUndefined();
  });
});
