import { checkpoints, decisions, evals, runAttempts, runLogsOf, type StoreDatabase } from '@curfew/store';
import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type { AttemptView, CheckpointView, DecisionView, LogLine } from '../shared/views';
import { isoOrNull } from './rows';
import type { RunRecord } from './run-rows';

/**
 * The run page's decisions, attempts, checkpoints and logs: the one place that knows where they
 * are stored. Decisions come from the decision log and attempts from `run_attempts`, as the
 * decision service wrote them. Runs whose evals were written without the service (imported
 * history) have neither: for them decisions are read from what the run left (its learning-rate
 * changes and how it ended) and attempts from its attempt count, and the page says so.
 */
export interface RunDetail {
  decisions: DecisionView[];
  /** False while decisions are reconstructed rather than read from the decision log. */
  decisionsRecorded: boolean;
  attempts: AttemptView[];
  checkpoints: CheckpointView[];
  logs: LogLine[];
}

const ENDING_REASON: Record<string, string> = {
  completed: 'budget',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** How the run ended, as a stop at its last eval, when no logged decision says so. */
function endingOf(run: RunRecord, last: { step: number; tokens: number } | undefined): DecisionView {
  return {
    step: last?.step ?? null,
    tokens: last?.tokens ?? null,
    kind: 'stop',
    reason: run.stopReason ?? ENDING_REASON[run.status] ?? run.status,
    detail: run.status === 'failed' ? run.error : null,
  };
}

/** What an adjust decision changed, e.g. `lr ×0.1, weight decay → 0.01`. */
function adjustDetail(decision: Record<string, unknown>): string | null {
  const parts: string[] = [];
  if (typeof decision.lrFactor === 'number') parts.push(`lr ×${decision.lrFactor}`);
  if (typeof decision.lr === 'number') parts.push(`lr → ${decision.lr}`);
  if (typeof decision.weightDecay === 'number') parts.push(`weight decay → ${decision.weightDecay}`);
  if (typeof decision.dropout === 'number') parts.push(`dropout → ${decision.dropout}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** The logged stops and adjustments of the run (continues are the rest), in the order made. */
async function loggedDecisions(db: StoreDatabase, run: RunRecord): Promise<DecisionView[] | null> {
  const [any] = await db
    .select({ seq: decisions.seq })
    .from(decisions)
    .where(eq(decisions.runId, run.id))
    .limit(1);
  if (!any) return null;
  const rows = await db
    .select()
    .from(decisions)
    .where(and(eq(decisions.runId, run.id), ne(decisions.kind, 'continue')))
    .orderBy(asc(decisions.seq));
  const views: DecisionView[] = rows.map((d) => {
    const decision = d.decision as Record<string, unknown>;
    const detail = d.kind === 'adjust' ? adjustDetail(decision) : ((decision.detail as string) ?? null);
    const notes = [
      detail,
      d.attempt > 1 ? `attempt ${d.attempt}` : null,
      d.discardedSeq !== null ? 'its eval was discarded by a resume' : null,
    ].filter((x) => x !== null);
    return {
      step: d.step,
      tokens: d.tokens,
      kind: d.kind,
      reason: d.reason ?? d.kind,
      detail: notes.length > 0 ? notes.join('; ') : null,
    };
  });
  const standing = rows.filter((d) => d.discardedSeq === null);
  if (!run.unfinished && standing.at(-1)?.kind !== 'stop') {
    const [last] = await db
      .select({ step: evals.step, tokens: evals.tokens })
      .from(evals)
      .where(eq(evals.runId, run.id))
      .orderBy(desc(evals.step))
      .limit(1);
    views.push(endingOf(run, last));
  }
  return views;
}

/** For runs without a decision log: LR changes are the adjusts, and the run's end its stop. */
async function inferredDecisions(db: StoreDatabase, run: RunRecord): Promise<DecisionView[]> {
  const rows = await db
    .select({ step: evals.step, tokens: evals.tokens, lr: evals.lr })
    .from(evals)
    .where(eq(evals.runId, run.id))
    .orderBy(asc(evals.step));
  const views: DecisionView[] = [];
  let lr: number | null = null;
  for (const row of rows) {
    if (row.lr !== null && lr !== null && row.lr !== lr)
      views.push({
        step: row.step,
        tokens: row.tokens,
        kind: 'adjust',
        reason: row.lr < lr ? 'lr drop' : 'lr raise',
        detail: `lr ${lr} → ${row.lr}`,
      });
    if (row.lr !== null) lr = row.lr;
  }
  if (!run.unfinished) views.push(endingOf(run, rows.at(-1)));
  return views;
}

const OUTCOME_TEXT: Record<string, string> = {
  requeued: 'requeued (failed; the run went back to the queue)',
  superseded: 'superseded (presumed dead: another attempt started)',
  abandoned: 'abandoned (its worker was lost)',
};

/** Imported runs have no attempt rows: every attempt but the last handed the run back. */
function inferredAttempts(run: RunRecord): AttemptView[] {
  return Array.from({ length: run.attempts }, (_, i) => {
    const last = i === run.attempts - 1;
    return {
      attempt: i + 1,
      worker: null,
      backend: last ? run.backend : null,
      resumedFromStep: null,
      startedAt: i === 0 ? run.startedAt : null,
      endedAt: last ? run.finishedAt : null,
      outcome: last ? run.status : 'handed back (resumed by the next attempt)',
      error: last ? run.error : null,
    };
  });
}

/** The run's attempts as the decision service recorded them. */
async function attemptsOf(db: StoreDatabase, run: RunRecord): Promise<AttemptView[]> {
  const rows = await db
    .select()
    .from(runAttempts)
    .where(eq(runAttempts.runId, run.id))
    .orderBy(asc(runAttempts.attempt));
  if (rows.length === 0) return inferredAttempts(run);
  return rows.map((a) => ({
    attempt: a.attempt,
    worker: a.workerId,
    backend: a.backend,
    resumedFromStep: a.resumedFromStep,
    startedAt: isoOrNull(a.startedAt),
    endedAt: isoOrNull(a.endedAt),
    outcome: a.outcome === null ? 'running' : (OUTCOME_TEXT[a.outcome] ?? a.outcome),
    error: a.error,
  }));
}

async function checkpointsOf(db: StoreDatabase, runId: string): Promise<CheckpointView[]> {
  const rows = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.runId, runId))
    .orderBy(asc(checkpoints.step));
  return rows.map((c) => ({
    step: c.step,
    tokens: c.tokens,
    path: c.path,
    isBest: c.isBest,
    bytes: c.bytes,
    createdAt: isoOrNull(c.createdAt) as string,
  }));
}

/** Lines of each attempt's stored output the page shows (its tail); `curfew logs` prints it all. */
const LOG_LINES_PER_ATTEMPT = 500;

/**
 * A command trainer's output (run_logs), attempt by attempt, each line tagged with its attempt;
 * curfew's own notes about a failure are errors. The run's error closes the list.
 */
async function logsOf(db: StoreDatabase, run: RunRecord): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const log of await runLogsOf(db, run.id)) {
    const at = isoOrNull(log.updatedAt);
    const text = log.text.replace(/\n$/, '');
    if (text === '') continue;
    const all = text.split('\n');
    const shown = all.slice(-LOG_LINES_PER_ATTEMPT);
    if (all.length > shown.length || log.droppedChars > 0)
      lines.push({
        at,
        level: 'info',
        text: `[attempt ${log.attempt}] … earlier output not shown (curfew logs ${run.id})`,
      });
    for (const line of shown)
      lines.push({
        at,
        level: /^curfew: attempt \d+ failed:/.test(line) ? 'error' : 'info',
        text: `[attempt ${log.attempt}] ${line}`,
      });
  }
  if (run.error) lines.push({ at: run.finishedAt, level: 'error', text: run.error });
  return lines;
}

export async function runDetail(db: StoreDatabase, run: RunRecord): Promise<RunDetail> {
  const logged = await loggedDecisions(db, run);
  return {
    decisions: logged ?? (await inferredDecisions(db, run)),
    decisionsRecorded: logged !== null,
    attempts: await attemptsOf(db, run),
    checkpoints: await checkpointsOf(db, run.id),
    logs: await logsOf(db, run),
  };
}
