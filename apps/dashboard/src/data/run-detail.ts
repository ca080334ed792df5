import { checkpoints, evals, runLogsOf, type StoreDatabase } from '@curfew/store';
import { asc, eq } from 'drizzle-orm';
import type { AttemptView, CheckpointView, DecisionView, LogLine } from '../shared/views';
import { isoOrNull } from './rows';
import type { RunRecord } from './run-rows';

/**
 * The run page's decisions, attempts, checkpoints and logs: the one place that knows where they
 * are stored. Today there is no decision log, attempt table or run log: decisions are read from
 * what the run left (its learning-rate changes and its stop reason), attempts from its attempt
 * count, logs from its error. When the store records them, only this module changes.
 */
export interface RunDetail {
  decisions: DecisionView[];
  /** False while decisions are reconstructed rather than read from a decision log. */
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

/** LR changes are the policy's adjust decisions; an ended run's last eval carries its stop. */
async function decisionsOf(db: StoreDatabase, run: RunRecord): Promise<DecisionView[]> {
  const rows = await db
    .select({ step: evals.step, tokens: evals.tokens, lr: evals.lr })
    .from(evals)
    .where(eq(evals.runId, run.id))
    .orderBy(asc(evals.step));
  const decisions: DecisionView[] = [];
  let lr: number | null = null;
  for (const row of rows) {
    if (row.lr !== null && lr !== null && row.lr !== lr)
      decisions.push({
        step: row.step,
        tokens: row.tokens,
        kind: 'adjust',
        reason: row.lr < lr ? 'lr drop' : 'lr raise',
        detail: `lr ${lr} → ${row.lr}`,
      });
    if (row.lr !== null) lr = row.lr;
  }
  if (!run.unfinished) {
    const last = rows.at(-1);
    decisions.push({
      step: last?.step ?? null,
      tokens: last?.tokens ?? null,
      kind: 'stop',
      reason: run.stopReason ?? ENDING_REASON[run.status] ?? run.status,
      detail: run.status === 'failed' ? run.error : null,
    });
  }
  return decisions;
}

/** Every attempt but the last ended without finishing (else there would be no later one). */
function attemptsOf(run: RunRecord): AttemptView[] {
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
  return {
    decisions: await decisionsOf(db, run),
    decisionsRecorded: false,
    attempts: attemptsOf(run),
    checkpoints: await checkpointsOf(db, run.id),
    logs: await logsOf(db, run),
  };
}
