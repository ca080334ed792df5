import type { EvalPoint } from '@curfew/policies';
import type { Eval, NewEval } from '@curfew/store';
import { type EvalReport, RESERVED_METRICS } from './requests/index.js';

/** Metrics with a column of their own in `evals`; every other one goes to its `metrics` jsonb. */
const COLUMNS = { em: 'em', loss: 'valLoss', perplexity: 'perplexity', train_loss: 'trainLoss' } as const;
type ColumnMetric = keyof typeof COLUMNS;
const isColumn = (name: string): name is ColumnMetric => Object.hasOwn(COLUMNS, name);

/** jsonb has no NaN or infinities: they are stored as these strings. */
const encode = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const decode = (v: unknown): number | null =>
  typeof v === 'number' ? v : v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : null;

/** The report's measured metrics (nulls dropped): what a policy's point carries. */
export function measuredMetrics(report: Pick<EvalReport, 'metrics'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(report.metrics)) if (value !== null) out[name] = value;
  return sorted(out);
}

/** Keys in one order whichever way the metrics were read, so live and replayed points are alike. */
function sorted(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether any metric turned NaN or infinite: the run has diverged. */
export function divergedMetric(metrics: Readonly<Record<string, number>>): string | null {
  for (const [name, value] of Object.entries(metrics))
    if (!Number.isFinite(value)) return `${name} is ${value}`;
  return null;
}

/** The eval row a report is stored as (the decision service adds seq and attempt). */
export function evalRowOf(report: EvalReport): NewEval {
  const metrics = measuredMetrics(report);
  const extra: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(metrics)) if (!isColumn(name)) extra[name] = encode(value);
  if (report.weightDecay !== null) extra.weight_decay = report.weightDecay;
  if (report.dropout !== null) extra.dropout = report.dropout;
  extra.full_validation = report.full ? 1 : 0;
  return {
    runId: report.runId,
    step: report.step,
    tokens: report.tokens,
    valTokens: report.valTokens,
    em: metrics.em ?? null,
    valLoss: metrics.loss ?? null,
    perplexity: metrics.perplexity ?? null,
    trainLoss: metrics.train_loss ?? null,
    lr: report.lr,
    valExamples: report.valExamples,
    metrics: extra as Record<string, number>,
  };
}

/** The measured metrics of a stored eval: exactly those of the report it was stored from. */
export function metricsOfRow(row: Pick<Eval, 'em' | 'valLoss' | 'perplexity' | 'trainLoss' | 'metrics'>) {
  const out: Record<string, number> = {};
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value !== null) out[name] = value;
  }
  for (const [name, value] of Object.entries(row.metrics ?? {})) {
    const number = decode(value);
    if (number !== null && !(RESERVED_METRICS as readonly string[]).includes(name)) out[name] = number;
  }
  return sorted(out);
}

/** The point a policy monitoring `monitor` sees; null when the eval does not carry that metric. */
export function pointOf(
  step: number,
  tokens: number,
  metrics: Readonly<Record<string, number>>,
  monitor: string,
): EvalPoint | null {
  const value = metrics[monitor];
  return value === undefined ? null : { step, tokens, value, metrics };
}
