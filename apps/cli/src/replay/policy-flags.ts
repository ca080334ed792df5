import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';

/**
 * Policy options as flags, named after the spec's fields (snake_case → kebab-case), which for
 * `patience` are Keras's own names: --patience 5 --min-delta 0.001 --baseline 0.3 --start-from-eval 2.
 */
const NUMERIC_FIELDS = [
  'tolerance',
  'patience',
  'min_delta',
  'baseline',
  'start_from_eval',
  'min_evals',
  'startup_runs',
  'warmup_evals',
  'reduction_factor',
  'min_resource_tokens',
  'max_rungs',
  'probability',
] as const;
const BOOLEAN_FIELDS = ['restore_best', 'lr_drop_before_stop'] as const;
const STRING_FIELDS = ['monitor'] as const;

const flagOf = (field: string) => field.replace(/_/g, '-');

export const POLICY_FLAG_OPTIONS: NonNullable<ParseArgsConfig['options']> = Object.fromEntries([
  ...[...NUMERIC_FIELDS, ...STRING_FIELDS].map((f) => [flagOf(f), { type: 'string' as const }]),
  ...BOOLEAN_FIELDS.map((f) => [flagOf(f), { type: 'boolean' as const }]),
]);

/** The `policy:` section the flags describe, before validation by the spec's schema. */
export function policySectionFromFlags(
  name: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const section: Record<string, unknown> = { name };
  for (const field of NUMERIC_FIELDS) {
    const raw = values[flagOf(field)];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`curfew replay: --${flagOf(field)}: expected a number, got "${String(raw)}"`);
    }
    section[field] = n;
  }
  for (const field of [...BOOLEAN_FIELDS, ...STRING_FIELDS]) {
    if (values[flagOf(field)] !== undefined) section[field] = values[flagOf(field)];
  }
  return section;
}

/** Which of the policy flags were given (for `--policy all`, where each goes to the policies that take it). */
export function givenPolicyFields(section: Record<string, unknown>): string[] {
  return Object.keys(section).filter((k) => k !== 'name');
}

export const policyFlagOf = flagOf;
