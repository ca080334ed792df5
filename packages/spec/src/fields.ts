import { z } from 'zod';
import { showValue } from './show-value.js';

/** Bounds of a numeric field; `gt`/`lt` are exclusive, `min`/`max` inclusive. */
export interface NumberBounds {
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
}

/**
 * An error map that says what the field expects and what it got. A missing value falls
 * through (returns undefined) so the parse-level map can say `required`.
 */
export function expecting(what: string) {
  return (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : `expected ${what}, got ${showValue(issue.input)}`;
}

function describeBounds(noun: string, b: NumberBounds): string {
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  if (b.gt === 0 && b.max === undefined && b.lt === undefined) return `a positive ${noun}`;
  if (b.min === 1 && b.max === undefined && noun === 'integer') return 'a positive integer';
  if (b.min === 0 && b.max === undefined && b.lt === undefined) return `a non-negative ${noun}`;
  if (b.min !== undefined && b.max !== undefined) return `${article} ${noun} from ${b.min} to ${b.max}`;
  if (b.gt !== undefined && b.lt !== undefined) {
    return `${article} ${noun} between ${b.gt} and ${b.lt} (exclusive)`;
  }
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`>= ${b.min}`);
  if (b.gt !== undefined) parts.push(`> ${b.gt}`);
  if (b.max !== undefined) parts.push(`<= ${b.max}`);
  if (b.lt !== undefined) parts.push(`< ${b.lt}`);
  return parts.length === 0 ? `${article} ${noun}` : `${article} ${noun} ${parts.join(' and ')}`;
}

/** An integer field whose every error reads `expected an integer from 1 to 12, got 0`. */
export function intField(bounds: Pick<NumberBounds, 'min' | 'max'> = {}) {
  let schema = z.int({ error: expecting(describeBounds('integer', bounds)) });
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  return schema;
}

/** A finite number field whose every error names its bounds. */
export function numberField(bounds: NumberBounds = {}) {
  let schema = z.number({ error: expecting(describeBounds('number', bounds)) });
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  if (bounds.gt !== undefined) schema = schema.gt(bounds.gt);
  if (bounds.lt !== undefined) schema = schema.lt(bounds.lt);
  return schema;
}

/** One of a fixed list of strings: `expected one of adam, sgd, rmsprop, got "adamw"`. */
export function enumField<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });
}

export function booleanField() {
  return z.boolean({ error: expecting('true or false') });
}

export function stringField() {
  return z.string({ error: expecting('a non-empty string') }).min(1);
}

/**
 * Refinement option: run only when the value parsed cleanly so far. Zod runs refinements after
 * continuable issues (an unknown key, a failed refine), where cross-field rules would repeat
 * them or see half-checked data.
 */
export const whenValid = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};
