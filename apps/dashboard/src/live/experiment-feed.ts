import type { StoreDatabase } from '@curfew/store';
import {
  type CurveGrid,
  type CurvePoint,
  chooseGrid,
  type GridOptions,
  sameGrid,
} from '../curves/align-curves';
import { curvePoints } from '../data/curve-points';
import { experimentRow } from '../data/experiment-rows';
import { findExperiment } from '../data/find-experiment';
import { type RunRecord, runRows } from '../data/run-rows';
import { runSignatures } from '../data/run-signatures';
import type { ExperimentDelta, ExperimentView } from '../shared/views';
import { curveChart, lossMetricFor, monitorOf, savingsPoints } from '../views/chart-parts';
import { type Feed, type LiveEvent, liveEvent } from './live-event';

const NO_POINTS: readonly CurvePoint[] = [];

/**
 * An experiment as its page shows it, kept in memory and refreshed from the database: a refresh
 * re-reads only the runs whose signature changed, and answers a delta with just those runs
 * while the charts' grids stay put (a snapshot when they moved).
 */
export class ExperimentFeed implements Feed {
  private head!: ExperimentView['experiment'];
  private headJson = '';
  private readonly runs = new Map<string, RunRecord>();
  /** Per run: [monitored metric, loss] points. */
  private readonly points = new Map<string, [CurvePoint[], CurvePoint[]]>();
  private signatures = new Map<string, string>();
  private grids: [CurveGrid, CurveGrid] | null = null;
  /** The snapshot of the current state, built once for however many pages open it. */
  private cached: LiveEvent | null = null;

  private constructor(
    private readonly db: StoreDatabase,
    private readonly id: string,
    private readonly monitor: { monitor: string; mode: 'max' | 'min' },
    private readonly gridOptions: GridOptions,
  ) {}

  /** The feed of an experiment, loaded; null when there is no such experiment. */
  static async open(
    db: StoreDatabase,
    id: string,
    gridOptions: GridOptions = {},
  ): Promise<ExperimentFeed | null> {
    const stored = await findExperiment(db, id);
    if (!stored) return null;
    const feed = new ExperimentFeed(db, id, monitorOf(stored.spec), gridOptions);
    await feed.refresh();
    return feed;
  }

  private get metrics(): [string, string] {
    return [this.monitor.monitor, lossMetricFor(this.monitor.monitor)];
  }

  private async readHead(): Promise<boolean> {
    const row = await experimentRow(this.db, this.id);
    if (!row) return false;
    const json = JSON.stringify(row);
    if (json === this.headJson) return false;
    this.headJson = json;
    this.head = { ...row, ...this.monitor };
    return true;
  }

  /** Reads the runs whose signature changed; returns their ids. */
  private async readChangedRuns(): Promise<string[]> {
    const signatures = await runSignatures(this.db, this.id);
    const changed = [...signatures].filter(([id, sig]) => this.signatures.get(id) !== sig).map(([id]) => id);
    this.signatures = signatures;
    if (changed.length === 0) return [];
    const [rows, points] = await Promise.all([
      runRows(this.db, this.id, changed.length === signatures.size ? undefined : changed),
      curvePoints(this.db, this.id, this.metrics, changed.length === signatures.size ? undefined : changed),
    ]);
    for (const row of rows) this.runs.set(row.id, row);
    for (const id of changed) {
      const [metric = [], loss = []] = points.get(id) ?? [];
      this.points.set(id, [metric, loss]);
    }
    return changed;
  }

  private gridsNow(): [CurveGrid, CurveGrid] {
    const budget = Math.max(0, ...[...this.runs.values()].map((r) => r.budgetTokens ?? 0));
    const options = { ...this.gridOptions, maxTokens: budget };
    const of = (i: 0 | 1) =>
      chooseGrid(
        [...this.points].map(([runId, p]) => ({ runId, points: p[i] })),
        options,
      );
    return [of(0), of(1)];
  }

  private charts(runs: readonly RunRecord[], grids: [CurveGrid, CurveGrid]) {
    const [metric, loss] = this.metrics;
    const pointsOf = (i: 0 | 1) => (runId: string) => this.points.get(runId)?.[i] ?? NO_POINTS;
    return {
      metric: curveChart({ metric, mode: this.monitor.mode, runs, pointsOf: pointsOf(0), grid: grids[0] }),
      loss: curveChart({ metric: loss, mode: 'min', runs, pointsOf: pointsOf(1), grid: grids[1] }),
    };
  }

  private allRuns(): RunRecord[] {
    return [...this.runs.values()].sort((a, b) => a.trial - b.trial);
  }

  view(): ExperimentView {
    const runs = this.allRuns();
    const grids = this.grids ?? this.gridsNow();
    return { experiment: this.head, runs, ...this.charts(runs, grids), savings: savingsPoints(runs) };
  }

  snapshot(): LiveEvent {
    this.cached ??= liveEvent('snapshot', this.view());
    return this.cached;
  }

  async refresh(): Promise<LiveEvent | null> {
    const headChanged = await this.readHead();
    const changed = await this.readChangedRuns();
    if (!headChanged && changed.length === 0) return null;
    this.cached = null;
    const grids = this.gridsNow();
    const previous = this.grids;
    this.grids = grids;
    if (!previous || !sameGrid(previous[0], grids[0]) || !sameGrid(previous[1], grids[1]))
      return this.snapshot();
    const changedRuns = changed.map((id) => this.runs.get(id)).filter((r): r is RunRecord => r !== undefined);
    const delta: ExperimentDelta = {
      experiment: this.head,
      runs: changedRuns,
      ...this.charts(changedRuns, grids),
      savings: savingsPoints(this.allRuns()),
      changed,
    };
    return liveEvent('delta', delta);
  }
}
