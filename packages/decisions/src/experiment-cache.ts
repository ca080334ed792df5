import type { StopModel } from '@curfew/policies';
import {
  type ExperimentEvents,
  type ExperimentLock,
  experimentEventsIn,
  experimentRuns,
  getExperiment,
  lockExperimentOfRunWithEvents,
  type RunFence,
  type StoreDatabase,
} from '@curfew/store';
import { ExperimentState } from './experiment-state.js';
import { type ExperimentPolicy, experimentPolicyOf } from './run-decider.js';
import { loadStopModels, stopModelFor } from './stop-models.js';

export interface CachedExperiment {
  id: string;
  policy: ExperimentPolicy;
  state: ExperimentState;
}

/** Experiments kept in memory at once; the least recently used goes first. */
const MAX_EXPERIMENTS = 64;

/**
 * Each experiment's state in memory, restored from the database the first time (or after a
 * restart) and then moved forward with only the events above its watermark: other instances'
 * writes and this one's, read back once committed. Nothing uncommitted ever enters it, so a
 * transaction that failed, or whose outcome is unknown, leaves nothing to undo.
 */
export class ExperimentCache {
  private readonly experiments = new Map<string, CachedExperiment>();
  private readonly stopModels = new Map<number, Promise<Awaited<ReturnType<typeof loadStopModels>>>>();

  /** The experiment as of event `upTo` (every event up to it must be committed), holding `runId`. */
  async at(db: StoreDatabase, experimentId: string, upTo: number, runId: string): Promise<CachedExperiment> {
    let cached = await this.held(db, experimentId, runId);
    if (upTo < cached.state.watermark) cached = await this.reload(db, experimentId);
    if (cached.state.watermark < upTo) await catchUp(db, cached, upTo);
    return cached;
  }

  /**
   * Takes the lock of `runId`'s experiment and moves the experiment up to the lock's sequence
   * number, returning the run's fence as committed now: in one round trip when the experiment is
   * held (the decision service asks it first thing in a report's transaction), else in three.
   */
  async lockWithFence(
    tx: StoreDatabase,
    experimentId: string,
    runId: string,
    lockOf: (tx: StoreDatabase) => Promise<ExperimentLock>,
    /** The transaction's commit does not wait for the disk (`commitFlush`): said first, in the same round trip. */
    commits: { deferCommit: boolean; defer: (tx: StoreDatabase) => Promise<void> },
  ): Promise<{ lock: ExperimentLock; cached: CachedExperiment; fence: RunFence | null }> {
    const held = this.experiments.get(experimentId);
    if (!held?.state.has(runId)) {
      if (commits.deferCommit) await commits.defer(tx);
      const lock = await lockOf(tx);
      const cached = await this.held(tx, experimentId, runId);
      const fence = await catchUp(tx, cached, Math.max(lock.seq - 1, cached.state.watermark), runId);
      return { lock, cached, fence };
    }
    const { lock, events, fence } = await lockExperimentOfRunWithEvents(
      tx,
      runId,
      experimentId,
      held.state.watermark,
      { deferCommit: commits.deferCommit },
    );
    if (lock.seq - 1 < held.state.watermark) {
      // The database is behind what is held (it lost commits that were never answered for):
      // start again from what it has.
      const cached = await this.reload(tx, experimentId);
      return { lock, cached, fence: await catchUp(tx, cached, lock.seq - 1, runId) };
    }
    // The state moves forward only with events of its own experiment (the caller refuses a lock
    // of another); it stays held whatever other experiments were asked for meanwhile.
    if (lock.experimentId === experimentId) {
      apply(held, events);
      held.state.watermark = Math.max(lock.seq - 1, held.state.watermark);
    }
    this.touch(experimentId, held);
    return { lock, cached: held, fence };
  }

  private async held(db: StoreDatabase, experimentId: string, runId: string): Promise<CachedExperiment> {
    let cached = this.experiments.get(experimentId);
    if (!cached?.state.has(runId)) cached = await this.load(db, experimentId);
    this.touch(experimentId, cached);
    return cached;
  }

  /** Drops the experiment and holds it again as the database has it. */
  private async reload(db: StoreDatabase, experimentId: string): Promise<CachedExperiment> {
    const cached = await this.load(db, experimentId);
    this.touch(experimentId, cached);
    return cached;
  }

  /** Holds the experiment as the most recently used; past the limit the least recently used goes. */
  private touch(experimentId: string, cached: CachedExperiment): void {
    this.experiments.delete(experimentId);
    this.experiments.set(experimentId, cached);
    if (this.experiments.size > MAX_EXPERIMENTS) {
      const oldest = this.experiments.keys().next().value as string;
      this.experiments.delete(oldest);
    }
  }

  /** Whether the experiment is held with `runId` among its runs (no load needed). */
  holds(experimentId: string, runId: string): boolean {
    return this.experiments.get(experimentId)?.state.has(runId) === true;
  }

  /** Drops what is held of an experiment (it is rebuilt from the database when next asked). */
  forget(experimentId: string): void {
    this.experiments.delete(experimentId);
  }

  /** Drops every experiment held (the stop models, which never change, stay). */
  forgetAll(): void {
    this.experiments.clear();
  }

  /** The stop model a run decides with: from its pinned meta_models version, for its task. */
  async stopModel(db: StoreDatabase, version: number | null, task: string): Promise<StopModel | null> {
    if (version === null) return null;
    let stored = this.stopModels.get(version);
    if (!stored) {
      stored = loadStopModels(db, version);
      this.stopModels.set(version, stored);
      stored.catch(() => this.stopModels.delete(version));
    }
    return stopModelFor(await stored, task);
  }

  private async load(db: StoreDatabase, experimentId: string): Promise<CachedExperiment> {
    const experiment = await getExperiment(db, experimentId);
    const policy = experimentPolicyOf(experiment.spec, experimentId);
    const runs = await experimentRuns(db, experimentId);
    return { id: experimentId, policy, state: new ExperimentState(runs, policy.monitor) };
  }
}

/** Applies the events of (watermark, upTo]: evals added, evals discarded, runs ended (one query). */
async function catchUp(
  db: StoreDatabase,
  cached: CachedExperiment,
  upTo: number,
  fenceOf?: string,
): Promise<RunFence | null> {
  const window = { after: cached.state.watermark, upTo };
  const events = await experimentEventsIn(db, cached.id, window, fenceOf);
  apply(cached, events);
  cached.state.watermark = upTo;
  return events.fence;
}

function apply(cached: CachedExperiment, events: ExperimentEvents): void {
  for (const row of events.added) cached.state.addEval(row);
  for (const row of events.discarded) cached.state.discard(row.runId, row.step, row.seq);
  for (const runId of events.ended) cached.state.end(runId);
}
