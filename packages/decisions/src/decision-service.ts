import {
  AttemptProtocolError,
  abandonAttempt,
  type CommitFlush,
  commitFlush,
  currentEventSeq,
  type DecisionRow,
  type ExperimentLock,
  failAttempt,
  finishAttempt,
  latestLiveDecision,
  lockExperimentOfRun,
  type RunFence,
  readLiveAttempt,
  readLiveRun,
  recordCheckpoint,
  recordEvalDecision,
  reportDecisions,
  resumeAttempt,
  type StoreDatabase,
  startAttempt,
} from '@curfew/store';
import { evalRowOf, metricsOfRow, pointOf } from './eval-metrics.js';
import { type CachedExperiment, ExperimentCache } from './experiment-cache.js';
import {
  AbandonRequest,
  CheckpointRequest,
  type Decision,
  type EndResponse,
  EvalReport,
  FailRequest,
  FinishRequest,
  parseRequest,
  type ReportResponse,
  ResumeRequest,
  type ResumeResponse,
  StartAttemptRequest,
  type StartAttemptResponse,
} from './requests/index.js';
import { type DecideStep, decideStep, runPolicyContext } from './run-decider.js';
import { SerialQueue } from './serial-queue.js';
import { STOP_MODELS_KIND } from './stop-models.js';
import { retryTransient } from './transient-errors.js';

export interface DecisionServiceOptions {
  db: StoreDatabase;
  /**
   * Attempts a run gets (crashes, lost workers, transient failures) before it fails for good.
   * @defaultValue 5
   */
  maxAttempts?: number;
  /** How long a request waits out a database outage, in milliseconds. @defaultValue 120000 */
  retryForMs?: number;
  log?: (line: string) => void;
}

/** The experiment id of a run id (`<experiment>/<trial>`), which the request schemas enforce. */
const experimentOf = (runId: string) => runId.slice(0, runId.lastIndexOf('/'));

/**
 * The decision service: every eval of every run passes through it. Each request is a plain
 * object (zod-checked; a bad one is a BadRequestError naming the field) and each state change
 * runs in one transaction holding its experiment's row lock, fenced by the run's attempt, so
 * instances in several processes are correct together. Transient database errors are retried.
 */
export class DecisionService {
  private readonly db: StoreDatabase;
  private readonly cache = new ExperimentCache();
  private readonly queue = new SerialQueue();
  private readonly commits: CommitFlush;
  private readonly maxAttempts: number;
  private readonly retryForMs: number;
  private readonly log: (line: string) => void;

  constructor(options: DecisionServiceOptions) {
    this.db = options.db;
    this.commits = commitFlush(options.db);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryForMs = options.retryForMs ?? 120_000;
    this.log = options.log ?? (() => undefined);
  }

  /** A worker takes a run: its next attempt starts (or a refusal says why it may not). */
  async startAttempt(input: unknown): Promise<StartAttemptResponse> {
    const request = parseRequest('startAttempt', StartAttemptRequest, input);
    return this.locked(request.runId, (tx, lock) =>
      startAttempt(tx, lock, {
        ...request,
        maxAttempts: this.maxAttempts,
        stopModelKind: STOP_MODELS_KIND,
      }),
    );
  }

  /** The attempt adopts a checkpoint (or none); what lay past it is discarded. */
  async resume(input: unknown): Promise<ResumeResponse> {
    const request = parseRequest('resume', ResumeRequest, input);
    const result = await this.locked(request.runId, (tx, lock) => resumeAttempt(tx, lock, request));
    return { step: result.step, tokens: result.tokens, discarded: result.discarded.length };
  }

  /**
   * Records an eval and the policy's decision about it, in one transaction; answers the decision.
   * What the decision needs of the run itself (its row, attempt and previous decision) changes
   * only under the experiment's lock, so it is read before the lock is taken and checked, with
   * the catch-up on peers' events, once it is held: on Postgres the lock and the catch-up go in
   * one round trip, so three hold the lock (lock and catch-up, write, commit) instead of eight.
   * Should the run have changed in between, it is read again under the lock.
   */
  async report(input: unknown): Promise<ReportResponse> {
    const report = parseRequest('report', EvalReport, input);
    const experimentId = experimentOf(report.runId);
    return this.durably(experimentId, async () => {
      const seen = await this.readBeforeLock(report, experimentId);
      if (seen.recorded) return repeatedReport(seen.recorded);
      const deferCommit = await this.commits.deferring();
      return this.db.transaction(async (tx) => {
        const { lock, cached, fence } = await this.cache.lockWithFence(
          tx,
          experimentId,
          report.runId,
          (t) => this.lock(t, report.runId),
          { deferCommit, defer: this.commits.defer },
        );
        checkExperiment(lock, report.runId);
        let own = seen;
        if (!stillStands(seen, fence)) {
          const { recorded, latestLive } = await reportDecisions(
            tx,
            report.runId,
            report.attempt,
            report.step,
          );
          if (recorded) return repeatedReport(recorded);
          own = { latestLive, live: await readLiveAttempt(tx, report.runId, report.attempt) };
        }
        const live = own.live as NonNullable<BeforeLock['live']>;
        const { step, stopModelVersion } = await this.decide(
          tx,
          cached,
          report,
          'report',
          own.latestLive,
          live,
        );
        await recordEvalDecision(tx, {
          eval: { ...evalRowOf(report), seq: lock.seq, attempt: report.attempt },
          decision: {
            experimentId: lock.experimentId,
            seq: lock.seq,
            runId: report.runId,
            attempt: report.attempt,
            step: report.step,
            tokens: report.tokens,
            watermark: lock.seq - 1,
            kind: step.decision.kind,
            reason: step.decision.kind === 'continue' ? null : step.decision.reason,
            decision: step.decision as Record<string, unknown>,
            policyState: step.state as Record<string, unknown>,
            stopModelVersion,
          },
        });
        return { decision: step.decision as Decision, seq: lock.seq, repeated: false };
      });
    });
  }

  /**
   * A report's own reading, without the lock: a decision already recorded for it (committed, so
   * it stands), the run's latest standing decision, and the run with its attempt (null when they
   * do not make a live, resumed attempt: the lock's path then reads them again and says why).
   * The experiment is loaded into memory here too when it is not held yet.
   */
  private async readBeforeLock(report: EvalReport, experimentId: string): Promise<BeforeLock> {
    const [decisions, live, upTo] = await Promise.all([
      reportDecisions(this.db, report.runId, report.attempt, report.step),
      readLiveAttempt(this.db, report.runId, report.attempt).then(
        (found) => (found.attempt.resumedAt === null ? null : found),
        () => null,
      ),
      this.cache.holds(experimentId, report.runId) ? null : currentEventSeq(this.db, experimentId),
    ]);
    if (upTo !== null) await this.cache.at(this.db, experimentId, upTo, report.runId);
    return { ...decisions, live };
  }

  /** The decision the policy would take for this eval now, with no write (incremental validation). */
  async peek(input: unknown): Promise<Decision> {
    const report = parseRequest('peek', EvalReport, input);
    const experimentId = experimentOf(report.runId);
    // It writes nothing, but what it read into memory must be on disk like any request's.
    return this.durably(experimentId, async () => {
      const upTo = await currentEventSeq(this.db, experimentId);
      const cached = await this.cache.at(this.db, experimentId, upTo, report.runId);
      const before = await latestLiveDecision(this.db, report.runId);
      const live = await readLiveAttempt(this.db, report.runId, report.attempt);
      return (await this.decide(this.db, cached, report, 'peek', before, live)).step.decision as Decision;
    });
  }

  /** The live attempt ends its run (stopped, completed or cancelled) with its summary. */
  async finish(input: unknown): Promise<EndResponse> {
    const request = parseRequest('finish', FinishRequest, input);
    const result = await this.locked(request.runId, (tx, lock) =>
      finishAttempt(tx, lock, { runId: request.runId, attempt: request.attempt, summary: request.outcome }),
    );
    return { status: request.outcome.status, repeated: result.repeated };
  }

  /** The attempt failed: back to the queue when retryable, else failed for good. */
  async fail(input: unknown): Promise<EndResponse> {
    const request = parseRequest('fail', FailRequest, input);
    return this.locked(request.runId, (tx, lock) => failAttempt(tx, lock, request));
  }

  /**
   * The attempt lost its worker (no live job): the run goes back to the queue, or is cancelled
   * when a cancel waited for it, or fails out of attempts. Null when it was not the live attempt.
   */
  async abandon(input: unknown): Promise<{ status: string } | null> {
    const request = parseRequest('abandon', AbandonRequest, input);
    return this.locked(request.runId, (tx, lock) =>
      abandonAttempt(tx, lock, { ...request, maxAttempts: this.maxAttempts }),
    );
  }

  /** The live attempt wrote a checkpoint; a later attempt may resume it. */
  async recordCheckpoint(input: unknown): Promise<void> {
    const request = parseRequest('checkpoint', CheckpointRequest, input);
    await this.locked(request.runId, async (tx) => {
      await readLiveRun(tx, request.runId, request.attempt);
      const { kind, ...record } = request;
      await recordCheckpoint(tx, { ...record, isBest: kind === 'best' });
    });
  }

  /** Builds the decision for a report from the experiment's state and the run's previous one. */
  private async decide(
    db: StoreDatabase,
    cached: CachedExperiment,
    report: EvalReport,
    what: 'report' | 'peek',
    /** The run's latest decision that stands (read by the caller). */
    before: DecisionRow | undefined,
    /** The run and its live attempt (read by the caller). */
    { run, attempt }: NonNullable<BeforeLock['live']>,
  ): Promise<{ step: DecideStep; stopModelVersion: number | null }> {
    assertInOrder(cached, report, attempt.resumedAt !== null, what);
    const model = await this.cache.stopModel(db, attempt.stopModelVersion, cached.policy.task);
    const ctx = runPolicyContext(cached.policy, run, model);
    const metrics = metricsOfRow(evalRowOf(report) as Parameters<typeof metricsOfRow>[0]);
    const step = decideStep(ctx, (before?.policyState as DecideStep['state'] | undefined) ?? null, {
      own: cached.state.pointsOf(report.runId),
      point: pointOf(report.step, report.tokens, metrics, cached.policy.monitor),
      metrics,
      peers: cached.state.peersFor(report.runId, report.tokens),
      cancelRequested: run.cancelRequestedSeq !== null,
    });
    return { step, stopModelVersion: attempt.stopModelVersion };
  }

  /** One transaction holding the run's experiment lock, serialised per experiment, retried on outages. */
  private locked<T>(
    runId: string,
    body: (tx: StoreDatabase, lock: ExperimentLock) => Promise<T>,
  ): Promise<T> {
    return this.durably(experimentOf(runId), () =>
      this.db.transaction(async (tx) => {
        await this.commits.defer(tx);
        return body(tx, await this.lock(tx, runId));
      }),
    );
  }

  /**
   * A request of an experiment: run in turn with the experiment's others in this process, then
   * answered only once what it committed is on disk. Its transaction commits without waiting for
   * the disk (`commitFlush`), so the experiment's lock is held for round trips and not for an
   * fsync, and its flush waits outside the lock and the turn, where concurrent
   * requests share their fsyncs. What a request read into memory of its experiment (peers'
   * commits, which may not be on disk yet either) is on disk once its flush returns, and it
   * flushes whether it succeeded or failed; when the flush fails, everything held in memory is
   * forgotten (a server that lost commits must not be answered from memory of them). Retried as a
   * whole on outages, so a commit whose flush failed is looked for again (a repeated report
   * finds it when it survived) rather than presumed durable.
   */
  private durably<T>(experimentId: string, request: () => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      let answer: T;
      try {
        answer = await this.queue.run(experimentId, request);
      } catch (error) {
        await this.flush().catch(() => undefined);
        throw error;
      }
      await this.flush();
      return answer;
    });
  }

  /** The flush of what was committed; when it fails, nothing held in memory can be trusted to be on disk. */
  private async flush(): Promise<void> {
    try {
      await this.commits.flush();
    } catch (error) {
      this.cache.forgetAll();
      throw error;
    }
  }

  /** Takes the lock of the run's experiment for the rest of the transaction. */
  private async lock(tx: StoreDatabase, runId: string): Promise<ExperimentLock> {
    return checkExperiment(await lockExperimentOfRun(tx, runId), runId);
  }

  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    let told = false;
    return retryTransient(fn, {
      forMs: this.retryForMs,
      onRetry: (error) => {
        if (told) return;
        told = true;
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        this.log(`decision service: database unavailable (${(cause as Error).message}); retrying`);
      },
    });
  }
}

/** The lock taken must be the experiment of the run id's prefix (which is what the cache holds). */
function checkExperiment(lock: ExperimentLock, runId: string): ExperimentLock {
  if (lock.experimentId !== experimentOf(runId))
    throw new Error(`run ${runId} belongs to experiment ${lock.experimentId}, not to its id's prefix`);
  return lock;
}

/** What `readBeforeLock` found of a report's run. */
interface BeforeLock {
  recorded?: DecisionRow;
  latestLive?: DecisionRow;
  live: Awaited<ReturnType<typeof readLiveAttempt>> | null;
}

/** Whether the reading taken before the lock still holds: the run's fence is as it was then. */
function stillStands(seen: BeforeLock, fence: RunFence | null): boolean {
  const run = seen.live?.run;
  return (
    run !== undefined &&
    fence !== null &&
    fence.status === run.status &&
    fence.attempts === run.attempts &&
    fence.cancelRequestedSeq === run.cancelRequestedSeq &&
    fence.latestLiveSeq === (seen.latestLive?.seq ?? null)
  );
}

function repeatedReport(recorded: DecisionRow): ReportResponse {
  return { decision: recorded.decision as Decision, seq: recorded.seq, repeated: true };
}

/** A report must follow the attempt's resume and go forward in steps. */
function assertInOrder(cached: CachedExperiment, report: EvalReport, resumed: boolean, what: string): void {
  if (!resumed)
    throw new AttemptProtocolError(
      `${what}: run ${report.runId} attempt ${report.attempt} has not resumed (resume, with or without a checkpoint, comes first)`,
    );
  const last = cached.state.lastStep(report.runId);
  if (last !== null && report.step <= last)
    throw new AttemptProtocolError(
      `${what}: run ${report.runId} step ${report.step} is not after its latest eval (step ${last})`,
    );
}
