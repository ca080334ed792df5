import { z } from 'zod';
import { expecting, intField, numberField, whenValid } from './fields.js';
import type { ParamValue } from './model-families.js';

export const domainKinds = ['choice', 'grid', 'uniform', 'loguniform', 'int'] as const;
export type DomainKind = (typeof domainKinds)[number];
/** Kinds a grid search can enumerate. */
export const gridDomainKinds = ['choice', 'grid', 'int'] as const;

const Value = z.union([z.number(), z.string(), z.boolean()], {
  error: expecting('a number, a string or true/false'),
});
const Values = z.array(Value, { error: expecting('a non-empty list of values') }).min(1);

const rangeOf = <T extends z.ZodType<number>>(bound: T) =>
  z.tuple([bound, bound], { error: expecting('[low, high]') });

const Range = rangeOf(numberField()).refine(([low, high]) => low < high, {
  error: expecting('low < high'),
});
const PositiveRange = rangeOf(numberField({ gt: 0 })).refine(([low, high]) => low < high, {
  error: expecting('low < high'),
});
const IntRange = rangeOf(intField()).refine(([low, high]) => low <= high, {
  error: expecting('low <= high'),
});

export const ChoiceDomain = z.strictObject({ choice: Values });
export type ChoiceDomain = z.infer<typeof ChoiceDomain>;
/** `grid` is an alias of `choice`. */
export const GridDomain = z.strictObject({ grid: Values });
export type GridDomain = z.infer<typeof GridDomain>;
export const UniformDomain = z.strictObject({ uniform: Range });
export type UniformDomain = z.infer<typeof UniformDomain>;
/** Both bounds > 0; sampled uniformly in log space. */
export const LogUniformDomain = z.strictObject({ loguniform: PositiveRange });
export type LogUniformDomain = z.infer<typeof LogUniformDomain>;
/** Integers from low to high, both inclusive. */
export const IntDomain = z.strictObject({ int: IntRange });
export type IntDomain = z.infer<typeof IntDomain>;

const domainShape = {
  choice: Values.optional(),
  grid: Values.optional(),
  uniform: Range.optional(),
  loguniform: PositiveRange.optional(),
  int: IntRange.optional(),
};

const describeDomain = 'a domain such as {choice: [...]}, {uniform: [low, high]} or {int: [low, high]}';

/** The keys written in a domain object, in {@link domainKinds} order. */
function kindsIn(domain: Record<string, unknown>): DomainKind[] {
  return domainKinds.filter((kind) => domain[kind] !== undefined);
}

const DomainFields = z
  .strictObject(domainShape, {
    error: (issue) => (issue.code === 'invalid_type' ? expecting(describeDomain)(issue) : undefined),
  })
  .superRefine((domain, ctx) => {
    const kinds = kindsIn(domain);
    if (kinds.length === 1) return;
    const got = kinds.length === 0 ? 'none' : kinds.join(' and ');
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of ${domainKinds.join(', ')}, got ${got}`,
    });
  }, whenValid);

type AnyDomain = ChoiceDomain | GridDomain | UniformDomain | LogUniformDomain | IntDomain;
type EnumerableDomain = ChoiceDomain | GridDomain | IntDomain;

// The checks above guarantee exactly one kind, so narrowing the type is safe. (A pipe into a
// union would re-report a domain that already failed, since zod runs it after continuable issues.)
const asDomain = <T extends AnyDomain>(domain: object) => domain as T;

/** A search domain: exactly one of choice, grid, uniform, loguniform, int. */
export const SearchDomain = DomainFields.transform(asDomain<AnyDomain>);
export type SearchDomain = z.infer<typeof SearchDomain>;

/** A domain a grid search can enumerate: choice, grid or int. */
export const GridSearchDomain = DomainFields.superRefine((domain, ctx) => {
  const kinds = kindsIn(domain);
  const [kind] = kinds;
  if (kinds.length !== 1 || kind === undefined) return;
  if ((gridDomainKinds as readonly string[]).includes(kind)) return;
  ctx.addIssue({
    code: 'custom',
    message: `method grid takes only ${gridDomainKinds.join(', ')} domains, got ${kind} (use method: random)`,
  });
}, whenValid).transform(asDomain<EnumerableDomain>);
export type GridSearchDomain = z.infer<typeof GridSearchDomain>;

/** The kind of a parsed domain. */
export function domainKind(domain: SearchDomain): DomainKind {
  if ('choice' in domain) return 'choice';
  if ('grid' in domain) return 'grid';
  if ('uniform' in domain) return 'uniform';
  if ('loguniform' in domain) return 'loguniform';
  return 'int';
}

/** How many values a grid domain enumerates (without listing them). */
export function gridDomainSize(domain: GridSearchDomain): number {
  if ('choice' in domain) return domain.choice.length;
  if ('grid' in domain) return domain.grid.length;
  return domain.int[1] - domain.int[0] + 1;
}

/** Every value of a grid domain, in the order written (ints ascending). */
export function gridDomainValues(domain: GridSearchDomain): ParamValue[] {
  if ('choice' in domain) return [...domain.choice];
  if ('grid' in domain) return [...domain.grid];
  const [low, high] = domain.int;
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}
