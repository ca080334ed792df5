import {
  AttemptProtocolError,
  abandonAttempt,
  currentEventSeq,
  type DecisionRow,
  type ExperimentLock,
  failAttempt,
  finishAttempt,
  latestLiveDecision,
  lockExperimentOfRun,
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
  private readonly maxAttempts: number;
  private readonly retryForMs: number;
  private readonly log: (line: string) => void;

  constructor(options: DecisionServiceOptions) {
    this.db = options.db;
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

  /** Records an eval and the policy's decision about it, in one transaction; answers the decision. */
  async report(input: unknown): Promise<ReportResponse> {
    const report = parseRequest('report', EvalReport, input);
    return this.locked(report.runId, async (tx, lock) => {
      const { recorded, latestLive } = await reportDecisions(tx, report.runId, report.attempt, report.step);
      if (recorded) return { decision: recorded.decision as Decision, seq: recorded.seq, repeated: true };
      const cached = await this.cache.at(tx, lock.experimentId, lock.seq - 1, report.runId);
      const { step, stopModelVersion } = await this.decide(tx, cached, report, 'report', latestLive);
      const row = { ...evalRowOf(report), seq: lock.seq, attempt: report.attempt };
      await recordEvalDecision(tx, {
        eval: row,
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
  }

  /** The decision the policy would take for this eval now, with no write (incremental validation). */
  async peek(input: unknown): Promise<Decision> {
    const report = parseRequest('peek', EvalReport, input);
    const experimentId = experimentOf(report.runId);
    return this.queue.run(experimentId, () =>
      this.retrying(async () => {
        const upTo = await currentEventSeq(this.db, experimentId);
        const cached = await this.cache.at(this.db, experimentId, upTo, report.runId);
        const before = await latestLiveDecision(this.db, report.runId);
        return (await this.decide(this.db, cached, report, 'peek', before)).step.decision as Decision;
      }),
    );
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
  ): Promise<{ step: DecideStep; stopModelVersion: number | null }> {
    const { run, attempt } = await readLiveAttempt(db, report.runId, report.attempt);
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
    return this.queue.run(experimentOf(runId), () =>
      this.retrying(() =>
        this.db.transaction(async (tx) => {
          const lock = await lockExperimentOfRun(tx, runId);
          if (lock.experimentId !== experimentOf(runId))
            throw new Error(
              `run ${runId} belongs to experiment ${lock.experimentId}, not to its id's prefix`,
            );
          return body(tx, lock);
        }),
      ),
    );
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
