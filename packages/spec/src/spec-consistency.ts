import { z } from 'zod';
import { type ModelFamilyName, modelFamilyNames, modelParamsSchema } from './model-families.js';
import { domainKinds, SearchDomain } from './search-domain.js';
import { specErrorMap } from './spec-error-map.js';
import type { PathProblem } from './spec-problem.js';
import { checkTrainer, hasCommandTrainer } from './trainer-consistency.js';
import { TRAINER_METRICS } from './trainer-metrics.js';

type Loose = Record<string, unknown>;

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Loose)[key];
  }
  return current;
}

function isMapping(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntParam(schema: z.ZodType): boolean {
  const inner = schema instanceof z.ZodDefault ? schema.unwrap() : schema;
  return inner instanceof z.ZodNumber && inner.isInt === true;
}

/** Checks each value a domain can produce against the parameter's own schema. */
function checkDomain(key: string, domain: unknown, param: z.ZodType): PathProblem[] {
  // A malformed domain is reported by its own schema; checking its values too would repeat it.
  if (!isMapping(domain) || !SearchDomain.safeParse(domain).success) return [];
  const problems: PathProblem[] = [];
  for (const kind of domainKinds) {
    const values = domain[kind];
    if (!Array.isArray(values)) continue;
    const path = ['search', 'space', key, kind];
    if ((kind === 'uniform' || kind === 'loguniform') && isIntParam(param)) {
      problems.push({
        path,
        message: `expected an int or choice domain for integer parameter ${key}, got ${kind}`,
      });
      continue;
    }
    values.forEach((value, index) => {
      const result = param.safeParse(value, { error: specErrorMap });
      const issue = result.error?.issues[0];
      if (issue) problems.push({ path: [...path, index], message: issue.message });
    });
  }
  return problems;
}

function checkSearchSpace(input: unknown): PathProblem[] {
  const family = field(input, 'model', 'family');
  const space = field(input, 'search', 'space');
  if (!isMapping(space) || !modelFamilyNames.includes(family as ModelFamilyName)) return [];
  const shape: Record<string, z.ZodType> = modelParamsSchema(family as ModelFamilyName).shape;
  const allowed = Object.keys(shape);
  return Object.entries(space).flatMap(([key, domain]) => {
    const param = shape[key];
    if (param === undefined || !Object.hasOwn(shape, key)) {
      const message = `unknown parameter for model family ${String(family)} (expected one of: ${allowed.join(', ')})`;
      return [{ path: ['search', 'space', key], message }];
    }
    return checkDomain(key, domain, param);
  });
}

function checkTokens(input: unknown): PathProblem[] {
  const budget = field(input, 'budget', 'max_tokens_per_run');
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) return [];
  const limits: [string[], unknown][] = [
    [['eval', 'every_tokens'], field(input, 'eval', 'every_tokens')],
    [['policy', 'min_resource_tokens'], field(input, 'policy', 'min_resource_tokens')],
    [['lr_schedule', 'warmup_tokens'], field(input, 'lr_schedule', 'warmup_tokens')],
  ];
  return limits.flatMap(([path, value]) =>
    typeof value === 'number' && value > budget
      ? [{ path, message: `expected at most budget.max_tokens_per_run (${budget}), got ${value}` }]
      : [],
  );
}

/** A policy can only watch what the trainer reports: a wrong monitor would fail at the first eval. */
function checkMonitor(input: unknown): PathProblem[] {
  const monitor = field(input, 'policy', 'monitor');
  if (typeof monitor !== 'string' || (TRAINER_METRICS as readonly string[]).includes(monitor)) return [];
  // A command trainer reports metrics of its own choosing.
  if (hasCommandTrainer(input)) return [];
  const message = `expected one of ${TRAINER_METRICS.join(', ')} (the metrics the trainer reports), got ${monitor}`;
  return [{ path: ['policy', 'monitor'], message }];
}

/** A transformer's heads split d_model evenly: every pair of values the spec can give them. */
function checkHeads(input: unknown): PathProblem[] {
  if (field(input, 'model', 'family') !== 'transformer') return [];
  const choices = (key: string, fallback: number): unknown[] => {
    const domain = field(input, 'search', 'space', key);
    const values = isMapping(domain) ? (domain.choice ?? domain.grid) : undefined;
    if (Array.isArray(values)) return values;
    return [field(input, 'model', 'params', key) ?? fallback];
  };
  for (const heads of choices('heads', 4))
    for (const width of choices('d_model', 64))
      if (typeof heads === 'number' && typeof width === 'number' && heads > 0 && width % heads !== 0) {
        const inSearch = field(input, 'search', 'space', 'heads') !== undefined;
        return [
          {
            path: inSearch ? ['search', 'space', 'heads'] : ['model', 'params', 'heads'],
            message: `expected a divisor of d_model (${width}), got ${heads}`,
          },
        ];
      }
  return [];
}

/**
 * Rules that span sections of the spec: search keys must be parameters of the model family
 * (and their domains valid for them), token counts must fit in the budget, the policy must
 * monitor a metric the trainer reports, a transformer's heads must divide its d_model, and a
 * command trainer's spec must hang together (trainer-consistency.ts). Reads
 * the raw input defensively, so it can report alongside the field-level problems of a broken spec.
 */
export function checkSpecConsistency(input: unknown): PathProblem[] {
  return [
    ...checkSearchSpace(input),
    ...checkTokens(input),
    ...checkMonitor(input),
    ...checkHeads(input),
    ...checkTrainer(input),
  ];
}
