/** Histograms of a tree node's rows, from which its best split is read (histogram GBM). */

export interface Split {
  feature: number;
  bin: number;
}

/** Per-feature histograms of the rows of one node: row count and target sum per bin. */
export interface Histogram {
  count: Float64Array;
  sum: Float64Array;
  total: number;
  n: number;
}

export function buildHistogram(
  binned: Uint8Array,
  cols: number,
  stride: number,
  target: Float64Array,
  idx: Int32Array,
): Histogram {
  const count = new Float64Array(cols * stride);
  const sum = new Float64Array(cols * stride);
  let total = 0;
  // One pass over the rows (row-major, cache friendly) fills every feature's histogram.
  for (let t = 0; t < idx.length; t++) {
    const r = idx[t] as number;
    const g = target[r] as number;
    total += g;
    const base = r * cols;
    for (let j = 0; j < cols; j++) {
      const h = j * stride + (binned[base + j] as number);
      count[h] = (count[h] as number) + 1;
      sum[h] = (sum[h] as number) + g;
    }
  }
  return { count, sum, total, n: idx.length };
}

/** The sibling's histogram: parent minus child, with no pass over the rows. */
export function subtractHistogram(parent: Histogram, child: Histogram): Histogram {
  const count = parent.count.slice();
  const sum = parent.sum.slice();
  for (let h = 0; h < count.length; h++) {
    count[h] = (count[h] as number) - (child.count[h] as number);
    sum[h] = (sum[h] as number) - (child.sum[h] as number);
  }
  return { count, sum, total: parent.total - child.total, n: parent.n - child.n };
}

export function bestSplit(
  hist: Histogram,
  cols: number,
  stride: number,
  edges: number[][],
  minLeaf: number,
): Split | null {
  const { count, sum, total, n } = hist;
  let best: Split | null = null;
  let bestGain = -1;
  for (let j = 0; j < cols; j++) {
    const nb = (edges[j] as number[]).length + 1;
    let cc = 0;
    let cs = 0;
    for (let b = 0; b < nb - 1; b++) {
      cc += count[j * stride + b] as number;
      cs += sum[j * stride + b] as number;
      if (cc < minLeaf || n - cc < minLeaf) continue;
      const gain = (cs * cs) / cc + ((total - cs) * (total - cs)) / (n - cc);
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature: j, bin: b };
      }
    }
  }
  return best;
}
