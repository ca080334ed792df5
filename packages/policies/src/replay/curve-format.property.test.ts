import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCurveFile } from './curve-format';

/** Parses, or throws one line naming the file and line; anything else fails the property. */
function outcome(text: string): 'ok' | 'refused' {
  try {
    const curves = parseCurveFile(text, 'curves.jsonl');
    for (const c of curves) {
      expect(c.evals.length).toBeGreaterThan(0);
      expect(c.budgetTokens).toBeGreaterThan(0);
      expect(['max', 'min']).toContain(c.mode);
    }
    return 'ok';
  } catch (error) {
    expect((error as Error).name).toBe('CurveFileError');
    expect((error as Error).message).toMatch(/^curves\.jsonl:\d+: \S/);
    expect((error as Error).message).not.toContain('\n');
    return 'refused';
  }
}

const number = fc.oneof(fc.double(), fc.integer(), fc.constant(-1), fc.constant(0));
const anyValue = fc.oneof(number, fc.string(), fc.boolean(), fc.constant(null), fc.jsonValue());
const evalLike = fc.oneof(
  fc.record({ step: anyValue, tokens: number, value: number }, { requiredKeys: [] }),
  fc.record({
    step: fc.nat(),
    tokens: fc.nat(),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    loss: number,
  }),
  anyValue,
);
/** Curve-shaped objects with each field sometimes missing, mistyped or out of range. */
const nearlyACurve = fc.record(
  {
    id: fc.oneof(fc.string(), anyValue),
    task: fc.oneof(fc.string(), anyValue),
    group: anyValue,
    metric: anyValue,
    mode: fc.oneof(fc.constantFrom('max', 'min', 'MAX', ''), anyValue),
    budget_tokens: number,
    features: anyValue,
    evals: fc.oneof(fc.array(evalLike, { maxLength: 6 }), anyValue),
  },
  { requiredKeys: [] },
);

describe('the curve reader (property-based)', () => {
  it('gives any text a result or one line naming the file and line, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        outcome(text);
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives any JSON lines a result or one clear line', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (values) => {
        outcome(values.map((v) => JSON.stringify(v)).join('\n'));
      }),
      { numRuns: 500 },
    );
  });

  it('takes nearly-right curves apart field by field', () => {
    fc.assert(
      fc.property(fc.array(nearlyACurve, { minLength: 1, maxLength: 3 }), (curves) => {
        outcome(curves.map((c) => JSON.stringify(c)).join('\n'));
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads back every well-formed curve it is given', () => {
    const points = fc
      .array(fc.tuple(fc.nat(1_000), fc.double({ noNaN: true, noDefaultInfinity: true })), {
        minLength: 1,
        maxLength: 8,
      })
      .map((pairs) => {
        let tokens = 0;
        return pairs.map(([gap, value], i) => {
          tokens += gap;
          return { step: i + 1, tokens, value };
        });
      });
    const curve = fc.record({
      id: fc.string({ minLength: 1 }),
      task: fc.string({ minLength: 1 }),
      mode: fc.constantFrom('max', 'min'),
      budget_tokens: fc.integer({ min: 1 }),
      evals: points,
    });
    fc.assert(
      fc.property(curve, (c) => {
        const [read] = parseCurveFile(JSON.stringify(c), 'curves.jsonl');
        expect(read).toMatchObject({ id: c.id, task: c.task, mode: c.mode, budgetTokens: c.budget_tokens });
        expect(read?.evals).toEqual(c.evals.map((e) => ({ ...e, value: e.value === 0 ? 0 : e.value })));
      }),
      { numRuns: 500 },
    );
  });
});
