import type { Mode } from '../types';

/**
 * The kind of curve a run's monitored metric draws, by which `auto` matches a run to history:
 * - `metric`: what the metric measures and so its scale, from its name and mode:
 *   `accuracy:max` (a fraction correct: accuracy, EM, top-1, F1…), `error-rate:min` (WER, CER, an
 *   error fraction), `ssim:max` (a similarity in [0, 1]), `loss:min` (a loss or NLL in nats),
 *   `perplexity:min`; any other name is its own kind (`<name>:<mode>`), matched only by history of
 *   the same metric. A tolerance is in the metric's own units, so what a rule lost on history of
 *   another kind says nothing about what it loses here (a WER and an accuracy differ in noise and
 *   range, a loss in nats in scale);
 * - `family`: the task family (`features.family`), '' when unknown.
 */
export interface CurveKind {
  metric: string;
  family: string;
}

/** A metric name's parts, split at anything not a letter or digit (`validation/wer` → validation, wer). */
function words(metric: string): string[] {
  return metric
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

const ERROR_RATE = new Set(['wer', 'cer', 'error', 'err', 'errors']);
const SIMILARITY = new Set(['ssim']);
const PERPLEXITY = new Set(['perplexity', 'ppl']);
const LOSS = new Set(['loss', 'nll', 'xent', 'crossentropy', 'bpb']);
const ACCURACY = new Set(['accuracy', 'acc', 'em', 'exact', 'top1', 'top5', 'f1', 'precision', 'recall']);

/** The metric part of a curve's kind (see `CurveKind`); '' for a metric with no name. */
export function metricKind(metric: string, mode: Mode): string {
  const ws = words(metric);
  if (ws.length === 0) return '';
  const has = (set: ReadonlySet<string>) => ws.some((w) => set.has(w));
  // Checked in this order: `top1_error` is an error rate, `loss_ppl` a perplexity.
  const category = has(ERROR_RATE)
    ? 'error-rate'
    : has(SIMILARITY)
      ? 'ssim'
      : has(PERPLEXITY)
        ? 'perplexity'
        : has(LOSS)
          ? 'loss'
          : has(ACCURACY)
            ? 'accuracy'
            : ws.join('_');
  return `${category}:${mode}`;
}

/** A run's kind from its monitored metric, mode and features. */
export function curveKind(
  metric: string,
  mode: Mode,
  features: Readonly<Record<string, unknown>> | undefined,
): CurveKind {
  const family = features?.family;
  return { metric: metricKind(metric, mode), family: typeof family === 'string' ? family : '' };
}
