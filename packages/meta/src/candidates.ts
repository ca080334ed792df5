import type { RunFeatures } from './features.js';
import type { CategoryFeature, NumericFeature } from './model-state.js';

/** A feature is considered when at least this share of history has it. */
const MIN_PRESENCE = 0.05;
/** A numeric feature spanning at least this ratio (all positive) is compared on a log scale. */
const LOG_RATIO = 10;

/**
 * The features history can teach: numbers with at least two values (z-scored, on a log scale
 * when they span a decade or more), and strings with at least two values that do not name
 * nearly every run apart (ids). Weights start at 0: the fit decides what matters.
 */
export function candidateFeatures(history: readonly RunFeatures[]): {
  numeric: NumericFeature[];
  categories: CategoryFeature[];
} {
  const numbers = new Map<string, number[]>();
  const strings = new Map<string, string[]>();
  for (const features of history) {
    for (const [key, value] of Object.entries(features)) {
      const into = typeof value === 'number' ? numbers : strings;
      const list = (into as Map<string, (number | string)[]>).get(key);
      if (list) list.push(value);
      else (into as Map<string, (number | string)[]>).set(key, [value]);
    }
  }
  const minCount = Math.max(2, Math.ceil(MIN_PRESENCE * history.length));
  const numeric: NumericFeature[] = [];
  for (const [key, values] of [...numbers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (values.length < minCount || new Set(values).size < 2) continue;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const log = min > 0 && max / min >= LOG_RATIO;
    const xs = log ? values.map(Math.log) : values;
    const center = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - center) ** 2, 0) / xs.length);
    numeric.push({ key, log, center, scale: sd > 0 ? sd : 1, weight: 0 });
  }
  const categories: CategoryFeature[] = [];
  for (const [key, values] of [...strings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const distinct = new Set(values).size;
    if (values.length < minCount || distinct < 2 || distinct > values.length / 2) continue;
    categories.push({ key, weight: 0 });
  }
  return { numeric, categories };
}
