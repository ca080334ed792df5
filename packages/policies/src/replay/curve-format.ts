import type { EvalPoint } from '../types';
import type { Curve } from './curve';

/** A malformed curve file; the message names the file and line. */
export class CurveFileError extends Error {
  override readonly name = 'CurveFileError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parseEval(raw: unknown, where: string, index: number): EvalPoint {
  const at = `${where}: evals[${index}]`;
  if (!isObject(raw)) throw new CurveFileError(`${at}: expected an object with step, tokens and value`);
  const { step, tokens, value } = raw;
  if (!finite(tokens) || tokens < 0) {
    throw new CurveFileError(`${at}.tokens: expected a non-negative number, got ${JSON.stringify(tokens)}`);
  }
  if (!finite(value))
    throw new CurveFileError(`${at}.value: expected a number, got ${JSON.stringify(value)}`);
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k !== 'step' && k !== 'tokens' && k !== 'value' && finite(v)) metrics[k] = v;
  }
  return {
    step: finite(step) ? step : index + 1,
    tokens,
    value,
    ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
  };
}

function requireString(obj: Json, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new CurveFileError(`${where}: ${key}: expected a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Parses one JSON line of a curve file. `where` is `file:line`. */
export function parseCurveLine(line: string, where: string): Curve {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new CurveFileError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new CurveFileError(`${where}: expected a JSON object per line`);
  const id = requireString(raw, 'id', where);
  const task = requireString(raw, 'task', where);
  const mode = raw.mode ?? 'max';
  if (mode !== 'max' && mode !== 'min') {
    throw new CurveFileError(`${where}: mode: expected "max" or "min", got ${JSON.stringify(mode)}`);
  }
  if (!Array.isArray(raw.evals) || raw.evals.length === 0) {
    throw new CurveFileError(`${where}: run ${id} has no evals`);
  }
  const evals = raw.evals.map((e, i) => parseEval(e, where, i));
  for (let i = 1; i < evals.length; i++) {
    if ((evals[i]?.tokens ?? 0) < (evals[i - 1]?.tokens ?? 0)) {
      throw new CurveFileError(`${where}: evals[${i}].tokens: tokens must not decrease along a run`);
    }
  }
  const budget = raw.budget_tokens;
  if (!finite(budget) || budget <= 0) {
    throw new CurveFileError(
      `${where}: budget_tokens: expected a positive number (the run's full budget), got ${JSON.stringify(budget)}`,
    );
  }
  const features = isObject(raw.features) ? raw.features : {};
  return {
    id,
    task,
    group: typeof raw.group === 'string' && raw.group ? raw.group : task,
    metric: typeof raw.metric === 'string' ? raw.metric : 'value',
    mode,
    budgetTokens: budget,
    features,
    evals,
    source: where,
  };
}

/** Parses a whole curve file (JSON Lines); blank lines are skipped, duplicate ids are errors. */
export function parseCurveFile(text: string, file: string, seen = new Map<string, string>()): Curve[] {
  const curves: Curve[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    const curve = parseCurveLine(line, where);
    const first = seen.get(curve.id);
    if (first) throw new CurveFileError(`${where}: duplicate run id ${curve.id} (first at ${first})`);
    seen.set(curve.id, where);
    curves.push(curve);
  }
  return curves;
}
