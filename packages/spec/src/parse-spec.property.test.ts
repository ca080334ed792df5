import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSpec } from './parse-spec.js';

/** Parses to a spec, or to problems that each name a path and say one line; never throws. */
function outcome(text: string, filename: string): 'ok' | 'refused' {
  const result = parseSpec(text, { filename });
  if (result.ok) {
    expect(result.spec.name).toMatch(/^[a-z0-9-]+$/);
    return 'ok';
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(typeof problem.path).toBe('string');
    expect(problem.message).toMatch(/\S/);
    expect(problem.message).not.toContain('\n');
  }
  return 'refused';
}

const files = fc.constantFrom('spec.yaml', 'spec.json');
const scalar = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
);
/** Mostly `good`, sometimes `bad`: a spec with a mistake or two in it. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: bad, weight: 1 });

/** Specs that look nearly right: the mistakes people make, and some they do not. */
const nearlyASpec = fc.record(
  {
    name: mostly(fc.stringMatching(/^[a-z0-9-]{1,12}$/), scalar),
    task: mostly(
      fc.record({ family: fc.constantFrom('add', 'reverse', 'sort', 'kv-qa') }),
      fc.oneof(fc.record({ family: fc.string(), params: fc.dictionary(fc.string(), scalar) }), scalar),
    ),
    model: mostly(
      fc.record({ family: fc.constantFrom('mlp', 'gru', 'transformer') }),
      fc.oneof(fc.record({ family: fc.string(), params: fc.dictionary(fc.string(), scalar) }), scalar),
    ),
    search: mostly(
      fc.record({
        method: fc.constant('random'),
        trials: fc.integer({ min: 1, max: 5 }),
        space: fc.record({ lr: fc.constant({ loguniform: [0.001, 0.01] }) }),
      }),
      fc.record(
        {
          method: fc.constantFrom('grid', 'random', 'bayes'),
          trials: scalar,
          space: fc.dictionary(
            fc.constantFrom('lr', 'units', 'batch_size', 'hidden', 'nope'),
            fc.oneof(
              fc.record({ loguniform: fc.array(scalar, { maxLength: 3 }) }),
              fc.record({ int: fc.array(scalar) }),
              scalar,
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    budget: mostly(
      fc.record({ max_tokens_per_run: fc.integer({ min: 1_000, max: 100_000 }) }),
      fc.record({ max_tokens_per_run: scalar }),
    ),
    eval: mostly(
      fc.record({ every_tokens: fc.integer({ min: 1, max: 1_000 }) }),
      fc.record({ every_tokens: scalar }),
    ),
    policy: mostly(
      fc.record({ name: fc.constantFrom('none', 'patience', 'auto', 'asha', 'median') }),
      fc.record(
        { name: fc.constantFrom('meta', 'oops', 'patience'), monitor: scalar, tolerance: scalar },
        { requiredKeys: ['name'] },
      ),
    ),
    resources: mostly(
      fc.record({ max_parallel: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ priority: scalar, max_parallel: scalar }),
    ),
  },
  { requiredKeys: ['name', 'task', 'model'] },
);

describe('the spec loader (property-based)', () => {
  it('gives any text, as YAML or JSON, a spec or problems with paths, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), files, (text, file) => {
        outcome(text, file);
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives any JSON or YAML document a spec or problems', () => {
    fc.assert(
      fc.property(fc.jsonValue(), files, (value, file) => {
        outcome(JSON.stringify(value) ?? 'null', file);
      }),
      { numRuns: 500 },
    );
  });

  it('takes nearly-right specs apart field by field, and accepts the right ones', () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(nearlyASpec, files, (spec, file) => {
        seen[outcome(JSON.stringify(spec), file)] += 1;
      }),
      { numRuns: 1_000, seed: 11 },
    );
    // The generator reaches both sides of the line.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('stays bounded on a YAML alias bomb', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'
        .split('')
        .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(outcome(bomb, 'spec.yaml')).toBe('refused');
  });
});
