import { PolicyOptionsError, PolicyStateError } from './errors';
import type { Mode, RunInfo } from './types';

/** Bounds of a numeric option; `gt`/`lt` are exclusive, `min`/`max` inclusive. */
export interface NumberBounds {
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
  integer?: boolean;
}

/** How a value reads in an error message: numbers as written, everything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function describe(b: NumberBounds): string {
  const noun = b.integer ? 'integer' : 'number';
  const article = noun === 'integer' ? 'an' : 'a';
  if (b.gt === 0 && b.max === undefined && b.lt === undefined && b.min === undefined)
    return `a positive ${noun}`;
  if (b.min === 0 && b.max === undefined && b.lt === undefined && b.gt === undefined) {
    return `a non-negative ${noun}`;
  }
  if (b.min === 1 && b.integer && b.max === undefined && b.lt === undefined) return 'a positive integer';
  if (b.gt !== undefined && b.lt !== undefined) return `${article} ${noun} between ${b.gt} and ${b.lt}`;
  if (b.min !== undefined && b.max !== undefined) return `${article} ${noun} from ${b.min} to ${b.max}`;
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`>= ${b.min}`);
  if (b.gt !== undefined) parts.push(`> ${b.gt}`);
  if (b.max !== undefined) parts.push(`<= ${b.max}`);
  if (b.lt !== undefined) parts.push(`< ${b.lt}`);
  return parts.length === 0 ? `${article} finite ${noun}` : `${article} ${noun} ${parts.join(' and ')}`;
}

/**
 * Returns `value` when it is a finite number within `bounds`, else throws PolicyOptionsError
 * naming the option and the value: `factor: expected a number between 0 and 1, got 1.5`.
 */
export function checkNumber(name: string, value: unknown, bounds: NumberBounds = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max) &&
    (bounds.gt === undefined || value > bounds.gt) &&
    (bounds.lt === undefined || value < bounds.lt);
  if (!ok) throw new PolicyOptionsError(`${name}: expected ${describe(bounds)}, got ${showValue(value)}`);
  return value as number;
}

/** `value` when it is `max` or `min`, else PolicyOptionsError. */
export function checkMode(name: string, value: unknown): Mode {
  if (value === 'max' || value === 'min') return value;
  throw new PolicyOptionsError(`${name}: expected "max" or "min", got ${showValue(value)}`);
}

/** `value` when it is a boolean, else PolicyOptionsError. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new PolicyOptionsError(`${name}: expected true or false, got ${showValue(value)}`);
}

/** Reads a numeric field of a saved state, or throws PolicyStateError naming `what`. */
export function stateNumber(state: Readonly<Record<string, unknown>>, key: string, what: string): number {
  const v = state[key];
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new PolicyStateError(`${what}: cannot restore state, ${key} is ${showValue(v)}`);
  }
  return v;
}

/** Reads a field that is a number or null (null standing for "none yet" or an infinity). */
export function stateNullableNumber(
  state: Readonly<Record<string, unknown>>,
  key: string,
  what: string,
): number | null {
  const v = state[key];
  if (v === null) return null;
  return stateNumber(state, key, what);
}

/** A plain object, or PolicyStateError. */
export function stateObject(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Readonly<Record<string, unknown>>;
  }
  throw new PolicyStateError(`${what}: cannot restore state, expected an object, got ${showValue(value)}`);
}

/** Reads a non-negative integer field of a snapshot. */
export function stateInteger(state: Readonly<Record<string, unknown>>, key: string, policy: string): number {
  const v = state[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new PolicyStateError(
      `${policy}: state.${key} must be a non-negative integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** A float as plain JSON: finite numbers as they are, ±Infinity and NaN as strings. */
export type JsonFloat = number | string;

export function encodeFloat(x: number): JsonFloat {
  return Number.isFinite(x) ? x : String(x);
}

export function decodeFloat(x: unknown, what: string): number {
  if (typeof x === 'number') return x;
  if (x === 'Infinity' || x === '-Infinity' || x === 'NaN') return Number(x);
  throw new PolicyStateError(`${what}: expected a number in the policy state, got ${JSON.stringify(x)}`);
}

/**
 * The policy's `mode`, which must be 'max' or 'min' and agree with the run's: a policy told to
 * maximise a loss would silently stop the best runs.
 */
export function requireMode(mode: unknown, run: RunInfo): Mode {
  if (mode !== 'max' && mode !== 'min') {
    throw new PolicyOptionsError(`mode: expected 'max' or 'min', got ${String(mode)}`);
  }
  if (run.mode !== mode) {
    throw new PolicyOptionsError(`mode: expected the run's mode '${run.mode}', got '${mode}'`);
  }
  return mode;
}

export function requireBudget(run: RunInfo): number {
  return checkNumber('budgetTokens', run.budgetTokens, { gt: 0 });
}
