import { bestSplit, buildHistogram, type Histogram, subtractHistogram } from './histogram';

/**
 * Small histogram gradient-boosted regression trees, enough to learn "how much will this curve
 * still gain" from history. Deterministic (no sampling), JSON-serialisable, fast to evaluate.
 * Two losses: squared error (the mean) and pinball (a quantile: trees fit the sign gradient,
 * leaves take the quantile of the residuals that reach them).
 */

export interface GbmOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Histogram bins per feature. At most 255. */
  bins: number;
  /** Fewest rows in a leaf. */
  minLeaf: number;
  /** Omit for squared error (mean); a number in (0,1) fits that quantile. */
  quantile?: number | undefined;
}

export const DEFAULT_GBM_OPTIONS: GbmOptions = {
  trees: 30,
  depth: 3,
  learningRate: 0.13,
  bins: 16,
  minLeaf: 200,
};

/** A tree as flat arrays: node i splits on feature[i] at threshold[i] (x < t goes left), or is a leaf. */
export interface GbmTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GbmModel {
  base: number;
  learningRate: number;
  trees: GbmTree[];
}

/** Row-major feature matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

function quantileOf(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

function binEdges(x: Matrix, rows: Int32Array, bins: number): number[][] {
  const edges: number[][] = [];
  const column = new Float64Array(rows.length);
  for (let j = 0; j < x.cols; j++) {
    for (let t = 0; t < rows.length; t++) column[t] = x.data[(rows[t] as number) * x.cols + j] as number;
    column.sort();
    const e = new Set<number>();
    for (let b = 1; b < bins; b++) e.add(quantileOf(column, b / bins));
    edges.push([...e].sort((a, b) => a - b));
  }
  return edges;
}

/** Number of edges <= v: the bin of v. */
function binOf(edges: number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Grown {
  tree: GbmTree;
  /** The leaf (node index) each training row ends in. */
  leafOf: Int32Array;
}

function growTree(
  binned: Uint8Array,
  cols: number,
  edges: number[][],
  target: Float64Array,
  rows: number,
  opts: GbmOptions,
): Grown {
  const tree: GbmTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const leafOf = new Int32Array(rows);
  // One histogram row per feature, as wide as the most bins any feature has.
  let stride = 1;
  for (const e of edges) stride = Math.max(stride, e.length + 1);
  const splits = (n: number, depth: number) => depth < opts.depth && n >= 2 * opts.minLeaf;
  const grow = (idx: Int32Array, depth: number, known: Histogram | null): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    let s = 0;
    for (let t = 0; t < idx.length; t++) s += target[idx[t] as number] as number;
    tree.value.push(idx.length > 0 ? s / idx.length : 0);
    const hist = splits(idx.length, depth)
      ? (known ?? buildHistogram(binned, cols, stride, target, idx))
      : null;
    const split = hist ? bestSplit(hist, cols, stride, edges, opts.minLeaf) : null;
    if (!hist || !split) {
      for (let t = 0; t < idx.length; t++) leafOf[idx[t] as number] = node;
      return node;
    }
    const feature = split.feature;
    const bin = split.bin;
    let nl = 0;
    for (let t = 0; t < idx.length; t++)
      if ((binned[(idx[t] as number) * cols + feature] as number) <= bin) nl++;
    const li = new Int32Array(nl);
    const ri = new Int32Array(idx.length - nl);
    let a = 0;
    let b = 0;
    for (let t = 0; t < idx.length; t++) {
      const r = idx[t] as number;
      if ((binned[r * cols + feature] as number) <= bin) li[a++] = r;
      else ri[b++] = r;
    }
    // Histogram subtraction: build the smaller child's, derive the larger one's from the parent.
    let leftHist: Histogram | null = null;
    let rightHist: Histogram | null = null;
    if (splits(li.length, depth + 1) || splits(ri.length, depth + 1)) {
      if (li.length <= ri.length) {
        leftHist = buildHistogram(binned, cols, stride, target, li);
        rightHist = subtractHistogram(hist, leftHist);
      } else {
        rightHist = buildHistogram(binned, cols, stride, target, ri);
        leftHist = subtractHistogram(hist, rightHist);
      }
    }
    tree.feature[node] = feature;
    tree.threshold[node] = (edges[feature] as number[])[bin] as number;
    tree.left[node] = grow(li, depth + 1, leftHist);
    tree.right[node] = grow(ri, depth + 1, rightHist);
    return node;
  };
  const all = new Int32Array(rows);
  for (let r = 0; r < rows; r++) all[r] = r;
  grow(all, 0, null);
  return { tree, leafOf };
}

/** Predicts one row with one tree. */
function treeValue(tree: GbmTree, x: ArrayLike<number>, offset = 0): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node = (
      (x[offset + f] as number) < (tree.threshold[node] as number) ? tree.left[node] : tree.right[node]
    ) as number;
  }
}

export function predictGbm(model: GbmModel, x: ArrayLike<number>, offset = 0): number {
  let f = model.base;
  for (const tree of model.trees) f += model.learningRate * treeValue(tree, x, offset);
  return f;
}

/**
 * Fits boosted trees to `y` (squared error, or the pinball loss of `opts.quantile`), on the rows
 * listed in `subset` (all rows when omitted): folds share one matrix instead of copies.
 */
export function fitGbm(
  xAll: Matrix,
  yAll: Float64Array,
  options: Partial<GbmOptions> = {},
  subset?: Int32Array,
): GbmModel {
  const opts = { ...DEFAULT_GBM_OPTIONS, ...options };
  const rows = subset ?? Int32Array.from({ length: xAll.rows }, (_, r) => r);
  const edges = binEdges(xAll, rows, Math.min(opts.bins, 255));
  const x = { rows: rows.length, cols: xAll.cols };
  const binned = new Uint8Array(x.rows * x.cols);
  const y = new Float64Array(x.rows);
  for (let t = 0; t < x.rows; t++) {
    const r = rows[t] as number;
    y[t] = yAll[r] as number;
    for (let j = 0; j < x.cols; j++)
      binned[t * x.cols + j] = binOf(edges[j] as number[], xAll.data[r * x.cols + j] as number);
  }
  const q = opts.quantile;
  const sortedY = Float64Array.from(y).sort();
  const base =
    q === undefined ? y.reduce((a, b) => a + b, 0) / Math.max(1, y.length) : quantileOf(sortedY, q);
  const f = new Float64Array(x.rows).fill(base);
  const target = new Float64Array(x.rows);
  const trees: GbmTree[] = [];
  for (let t = 0; t < opts.trees; t++) {
    for (let r = 0; r < x.rows; r++) {
      const residual = (y[r] as number) - (f[r] as number);
      target[r] = q === undefined ? residual : residual > 0 ? q : q - 1;
    }
    const { tree, leafOf } = growTree(binned, x.cols, edges, target, x.rows, opts);
    if (q !== undefined) setQuantileLeaves(tree, leafOf, y, f, q);
    for (let r = 0; r < x.rows; r++) {
      f[r] = (f[r] as number) + opts.learningRate * (tree.value[leafOf[r] as number] as number);
    }
    trees.push(tree);
  }
  return { base, learningRate: opts.learningRate, trees };
}

function setQuantileLeaves(tree: GbmTree, leafOf: Int32Array, y: Float64Array, f: Float64Array, q: number) {
  const nodes = tree.value.length;
  const counts = new Int32Array(nodes + 1);
  for (let r = 0; r < leafOf.length; r++)
    counts[(leafOf[r] as number) + 1] = (counts[(leafOf[r] as number) + 1] as number) + 1;
  for (let n = 0; n < nodes; n++) counts[n + 1] = (counts[n + 1] as number) + (counts[n] as number);
  const start = counts.slice();
  const residuals = new Float64Array(leafOf.length);
  for (let r = 0; r < leafOf.length; r++) {
    const leaf = leafOf[r] as number;
    residuals[start[leaf] as number] = (y[r] as number) - (f[r] as number);
    start[leaf] = (start[leaf] as number) + 1;
  }
  for (let n = 0; n < nodes; n++) {
    const a = counts[n] as number;
    const b = counts[n + 1] as number;
    if (b > a) tree.value[n] = quantileOf(residuals.subarray(a, b).sort(), q);
  }
}
