/**
 * The command trainer's line protocol. A line whose JSON object has a `curfew` key is for
 * curfew: `{"curfew":"eval","step":…,"tokens":…,<metric>:…}`, `{"curfew":"checkpoint","step":…,
 * "tokens":…}` (a checkpoint the next attempt may resume from) or `{"curfew":"ask"}` (send me
 * each decision on stdin). Every other line is the program's log.
 */

export interface EvalLine {
  kind: 'eval';
  step: number;
  tokens: number;
  valTokens: number;
  lr: number | null;
  valExamples: number | null;
  /** Every other numeric field: em, loss, accuracy… (null: not measured). */
  metrics: Record<string, number | null>;
}

export type ProtocolLine =
  | EvalLine
  | { kind: 'checkpoint'; step: number; tokens: number }
  | { kind: 'ask' }
  | { kind: 'log' }
  | { kind: 'malformed'; message: string };

const FIELDS = new Set(['curfew', 'step', 'tokens', 'val_tokens', 'lr', 'val_examples']);
const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Python's json.dumps writes NaN and infinities bare; JSON has no such values. */
const BARE_NON_FINITE = /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;
/** Marks a bare value turned into a string for JSON.parse (a string no program prints). */
const MARK = '~curfew:non-finite:';
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

const malformed = (message: string): ProtocolLine => ({ kind: 'malformed', message });
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseObject(line: string): Record<string, unknown> | string | null {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"curfew"')) return null;
  try {
    const value: unknown = JSON.parse(text.replace(BARE_NON_FINITE, `$1"${MARK}$2"`), (_key, v) =>
      typeof v === 'string' && v.startsWith(MARK) ? NON_FINITE[v.slice(MARK.length)] : v,
    );
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return 'curfew' in value ? (value as Record<string, unknown>) : null;
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
}

function counts(obj: Record<string, unknown>): { step: number; tokens: number } | string {
  for (const key of ['step', 'tokens'] as const)
    if (!isCount(obj[key]))
      return `${key}: expected a non-negative integer, got ${JSON.stringify(obj[key]) ?? 'nothing'}`;
  return { step: obj.step as number, tokens: obj.tokens as number };
}

function parseEval(obj: Record<string, unknown>): ProtocolLine {
  const base = counts(obj);
  if (typeof base === 'string') return malformed(base);
  const metrics: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (FIELDS.has(key)) continue;
    if (!METRIC_NAME.test(key))
      return malformed(`${key}: expected a metric name of lowercase letters, digits and _.-`);
    if (typeof value !== 'number' && value !== null)
      return malformed(`${key}: expected a number (or null), got ${JSON.stringify(value)}`);
    metrics[key] = value;
  }
  if (Object.keys(metrics).length === 0)
    return malformed('no metric: report at least one, e.g. "em" or "loss"');
  const { val_tokens: valTokens = 0, lr = null, val_examples: valExamples = null } = obj;
  if (!isCount(valTokens))
    return malformed(`val_tokens: expected a non-negative integer, got ${JSON.stringify(valTokens)}`);
  if (lr !== null && typeof lr !== 'number')
    return malformed(`lr: expected a number, got ${JSON.stringify(lr)}`);
  if (valExamples !== null && !isCount(valExamples))
    return malformed(`val_examples: expected a non-negative integer, got ${JSON.stringify(valExamples)}`);
  return { kind: 'eval', ...base, valTokens, lr, valExamples, metrics };
}

/** Reads one line of the program's output. */
export function parseProtocolLine(line: string): ProtocolLine {
  const obj = parseObject(line);
  if (obj === null) return { kind: 'log' };
  if (typeof obj === 'string') return malformed(obj);
  switch (obj.curfew) {
    case 'eval':
      return parseEval(obj);
    case 'checkpoint': {
      const base = counts(obj);
      return typeof base === 'string' ? malformed(base) : { kind: 'checkpoint', ...base };
    }
    case 'ask':
      return { kind: 'ask' };
    default:
      return malformed(`curfew: expected "eval", "checkpoint" or "ask", got ${JSON.stringify(obj.curfew)}`);
  }
}
