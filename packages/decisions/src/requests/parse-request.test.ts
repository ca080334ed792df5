import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointRequest, FailRequest, FinishRequest } from './finish.request.js';
import { parseRequest } from './parse-request.js';
import { EvalReport } from './report.request.js';
import { ResumeRequest } from './resume.request.js';
import { StartAttemptRequest } from './start-attempt.request.js';

const SCHEMAS = {
  startAttempt: StartAttemptRequest,
  resume: ResumeRequest,
  report: EvalReport,
  finish: FinishRequest,
  fail: FailRequest,
  checkpoint: CheckpointRequest,
} as const;

/** Parses or throws a one-line BadRequestError naming the request; anything else fails the property. */
function outcome(name: keyof typeof SCHEMAS, input: unknown): 'ok' | 'refused' {
  try {
    parseRequest(name, SCHEMAS[name], input);
    return 'ok';
  } catch (error) {
    expect((error as Error).name).toBe('BadRequestError');
    expect((error as Error).message).toMatch(new RegExp(`^${name}: \\S`));
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message.length).toBeLessThan(2_000);
    return 'refused';
  }
}

const names = fc.constantFrom(...(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[]));
const runId = fc.oneof(fc.constant('exp-1/0'), fc.string({ maxLength: 12 }));
const number = fc.oneof(fc.integer({ min: -3, max: 10_000 }), fc.double(), fc.constant(Number.NaN));

/** Requests that look nearly right: the shapes a buggy trainer or an HTTP client sends. */
const nearlyRight = fc.record(
  {
    runId,
    attempt: number,
    step: fc.oneof(number, fc.constant(null)),
    fromAttempt: fc.oneof(number, fc.constant(null)),
    tokens: number,
    workerId: fc.string(),
    backend: fc.oneof(fc.string(), fc.constant(null)),
    metrics: fc.dictionary(fc.string({ maxLength: 70 }), fc.oneof(number, fc.constant(null), fc.string())),
    reason: fc.string(),
    retryable: fc.boolean(),
    kind: fc.constantFrom('latest', 'best', 'other'),
    path: fc.string(),
    bytes: number,
    outcome: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('request parsing (property-based)', () => {
  it('gives any JSON value a result or one clear line, never a crash', () => {
    fc.assert(
      fc.property(names, fc.jsonValue(), (name, input) => {
        outcome(name, input);
      }),
      { numRuns: 500 },
    );
  });

  it('gives any value at all (maps, sets, bigints, a cycle) a result or one clear line', () => {
    fc.assert(
      fc.property(names, fc.anything({ withMap: true, withSet: true, withBigInt: true }), (name, input) => {
        outcome(name, input);
      }),
      { numRuns: 300 },
    );
    const cyclic: Record<string, unknown> = { runId: 'exp-1/0', attempt: 1 };
    cyclic.metrics = cyclic;
    for (const name of Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])
      expect(outcome(name, cyclic)).toBe('refused');
  });

  it('takes nearly-right requests apart field by field', () => {
    fc.assert(
      fc.property(names, nearlyRight, (name, input) => {
        outcome(name, input);
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts every well-formed report, non-finite metrics included', () => {
    const metric = fc.oneof(fc.double(), fc.constant(null));
    const report = fc.record({
      runId: fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.nat()).map(([e, t]) => `${e}/${t}`),
      attempt: fc.integer({ min: 1, max: 1_000 }),
      step: fc.nat(),
      tokens: fc.nat(),
      metrics: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), metric, { maxKeys: 10 }),
    });
    fc.assert(
      fc.property(report, (input) => {
        fc.pre(
          !Object.keys(input.metrics).some((k) => ['weight_decay', 'dropout', 'full_validation'].includes(k)),
        );
        expect(outcome('report', input)).toBe('ok');
      }),
      { numRuns: 500 },
    );
  });
});
