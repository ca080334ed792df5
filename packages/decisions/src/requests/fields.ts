import { z } from 'zod';

/** Fields shared by the service's requests (HTTP-safe: plain JSON values, bounded sizes). */

export const RunId = z
  .string()
  .max(200)
  .regex(/^[a-z0-9-]+\/\d+$/, { error: 'expected <experiment id>/<trial>, e.g. kv-qa-sweep-3/0' });

/** An attempt number, from 1 (startAttempt hands them out). */
export const Attempt = z.int().min(1).max(1_000_000);

export const Step = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
export const Tokens = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * A metric's value. NaN and ±Infinity are accepted (a diverging run reports them and is told to
 * stop); null means not measured.
 */
export const MetricValue = z.union([
  z.number(),
  z.nan(),
  z.literal(Number.POSITIVE_INFINITY),
  z.literal(Number.NEGATIVE_INFINITY),
  z.null(),
]);
export type MetricValue = z.infer<typeof MetricValue>;

/** Metric names a report may not use: the eval row keeps these training settings under them. */
export const RESERVED_METRICS = ['weight_decay', 'dropout', 'full_validation'] as const;

const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Metrics by name. Names are checked here rather than by a key schema so that the message
 * names the metric (a key schema only says "invalid key").
 */
export const Metrics = z.record(z.string(), MetricValue).superRefine((metrics, ctx) => {
  const names = Object.keys(metrics);
  if (names.length > 64)
    ctx.addIssue({ code: 'custom', message: `expected at most 64 metrics, got ${names.length}` });
  for (const name of names.slice(0, 64)) {
    if (!METRIC_NAME.test(name))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'expected a metric name of lowercase letters, digits and _.- (at most 64 characters)',
      });
    else if ((RESERVED_METRICS as readonly string[]).includes(name))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} is reserved (it is sent as a field of the report)`,
      });
  }
});

/** What a user-facing message may say: a short string. */
export const Reason = z.string().min(1).max(2_000);
