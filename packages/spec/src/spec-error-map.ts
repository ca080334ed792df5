import type { z } from 'zod';
import { showValue } from './show-value.js';
import type { PathProblem } from './spec-problem.js';

type RawIssue = z.core.$ZodRawIssue;

const typeNames: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  record: 'a mapping',
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
};

function shapeKeys(issue: RawIssue): string[] {
  const inst = issue.inst as { _zod?: { def?: { shape?: object } } } | undefined;
  const shape = inst?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

function sizeMessage(issue: RawIssue & { origin?: string }, bound: number, atLeast: boolean): string {
  const input = issue.input;
  const word = atLeast ? 'at least' : 'at most';
  if (issue.origin === 'array' && Array.isArray(input)) {
    return `expected ${word} ${bound} item${bound === 1 ? '' : 's'}, got ${input.length}`;
  }
  if (issue.origin === 'string' && typeof input === 'string') {
    return `expected ${word} ${bound} characters, got ${input.length}`;
  }
  return `expected a number ${atLeast ? '>=' : '<='} ${bound}, got ${showValue(input)}`;
}

function discriminatorMessage(issue: RawIssue): string | undefined {
  const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
  if (discriminator === undefined || options === undefined) return undefined;
  const input = issue.input;
  const value =
    typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>)[discriminator]
      : undefined;
  if (value === undefined) return 'required';
  return `expected one of ${options.join(', ')}, got ${showValue(value)}`;
}

/**
 * The parse-level zod error map: every message says what was expected and what was got. Field
 * builders (`intField`, …) set their own, more specific messages, which take precedence.
 */
export const specErrorMap = (issue: RawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${typeNames[issue.expected] ?? issue.expected}, got ${showValue(issue.input)}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'required';
      if (issue.values.length === 1)
        return `expected ${showValue(issue.values[0])}, got ${showValue(issue.input)}`;
      return `expected one of ${issue.values.map(String).join(', ')}, got ${showValue(issue.input)}`;
    case 'too_small':
      return sizeMessage(issue, Number(issue.minimum), true);
    case 'too_big':
      return sizeMessage(issue, Number(issue.maximum), false);
    case 'unrecognized_keys':
      return `unknown key (expected one of: ${shapeKeys(issue).join(', ')})`;
    case 'invalid_union':
      return (
        discriminatorMessage(issue) ??
        `got ${showValue(issue.input)}, which matches none of the allowed forms`
      );
    default:
      return undefined;
  }
};

/** Zod issues → problems; an unknown-keys issue becomes one problem per key, at the key. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): PathProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }))
      : [{ path: issue.path, message: issue.message }],
  );
}
