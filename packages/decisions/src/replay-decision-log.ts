import type { PolicyState } from '@curfew/policies';
import { type DecisionRow, decisionLogOf, type Eval, getExperiment, type StoreDatabase } from '@curfew/store';
import { metricsOfRow, pointOf } from './eval-metrics.js';
import { ExperimentCache } from './experiment-cache.js';
import { ExperimentState } from './experiment-state.js';
import { asJson, decideStep, experimentPolicyOf, runPolicyContext } from './run-decider.js';

/** A recorded decision the replay did not reproduce. */
export interface ReplayMismatch {
  seq: number;
  runId: string;
  step: number;
  recorded: unknown;
  replayed: unknown;
  /** What differed: the decision, the policy state it left, or the log itself. */
  what: 'decision' | 'state' | 'log';
}

export interface DecisionLogReplay {
  experimentId: string;
  decisions: number;
  /** Of them, decisions about evals a resumed attempt later discarded. */
  discarded: number;
  mismatches: ReplayMismatch[];
}

type LogEvent =
  | { seq: number; kind: 'eval'; row: Eval }
  | { seq: number; kind: 'discard'; runId: string; step: number; evalSeq: number | null }
  | { seq: number; kind: 'end'; runId: string }
  | { seq: number; kind: 'cancel'; runId: string };

/**
 * Rebuilds every decision of an experiment from its log and checks it reproduces the recorded
 * one exactly: the experiment's state at the decision's watermark (every eval, discard, run end
 * and cancel up to it, discarded evals included), the run's state from its previous standing
 * decision, and the stop model version it used.
 */
export async function replayDecisionLog(db: StoreDatabase, experimentId: string): Promise<DecisionLogReplay> {
  const experiment = await getExperiment(db, experimentId);
  const policy = experimentPolicyOf(experiment.spec, experimentId);
  const log = await decisionLogOf(db, experimentId);
  const state = new ExperimentState(log.runs, policy.monitor);
  const events = eventsOf(log);
  const rowBySeq = new Map(events.flatMap((e) => (e.kind === 'eval' ? [[e.seq, e.row] as const] : [])));
  const cancelled = new Set<string>();
  const lineage = new Map<string, { step: number; seq: number; state: PolicyState }[]>();
  const models = new ExperimentCache();
  const result: DecisionLogReplay = { experimentId, decisions: 0, discarded: 0, mismatches: [] };
  let next = 0;
  for (const d of log.decisions) {
    for (; next < events.length && (events[next] as LogEvent).seq <= d.watermark; next++)
      apply(events[next] as LogEvent, state, cancelled, lineage);
    result.decisions += 1;
    if (d.discardedSeq !== null) result.discarded += 1;
    const row = rowBySeq.get(d.seq);
    const run = log.runs.find((r) => r.id === d.runId);
    if (!row || row.runId !== d.runId || !run || d.watermark >= d.seq) {
      result.mismatches.push(mismatch(d, 'log', 'an eval at this sequence number', row ?? null));
      continue;
    }
    const model = await models.stopModel(db, d.stopModelVersion, policy.task);
    const metrics = metricsOfRow(row);
    const replayed = decideStep(
      runPolicyContext(policy, run, model),
      lineage.get(d.runId)?.at(-1)?.state ?? null,
      {
        own: state.pointsOf(d.runId),
        point: pointOf(row.step, row.tokens, metrics, policy.monitor),
        metrics,
        peers: state.peersFor(d.runId, row.tokens),
        cancelRequested: cancelled.has(d.runId),
      },
    );
    if (!sameJson(replayed.decision, d.decision))
      result.mismatches.push(mismatch(d, 'decision', d.decision, replayed.decision));
    else if (!sameJson(replayed.state, d.policyState))
      result.mismatches.push(mismatch(d, 'state', d.policyState, replayed.state));
    const runLineage = lineage.get(d.runId) ?? [];
    runLineage.push({ step: d.step, seq: d.seq, state: d.policyState as PolicyState });
    lineage.set(d.runId, runLineage);
  }
  return result;
}

function eventsOf(log: Awaited<ReturnType<typeof decisionLogOf>>): LogEvent[] {
  const events: LogEvent[] = [];
  for (const row of [...log.evals, ...log.discarded]) events.push({ seq: row.seq ?? 0, kind: 'eval', row });
  for (const d of log.discarded)
    events.push({ seq: d.discardedSeq, kind: 'discard', runId: d.runId, step: d.step, evalSeq: d.seq });
  for (const run of log.runs) {
    if (run.endSeq !== null) events.push({ seq: run.endSeq, kind: 'end', runId: run.id });
    if (run.cancelRequestedSeq !== null)
      events.push({ seq: run.cancelRequestedSeq, kind: 'cancel', runId: run.id });
  }
  // Within one sequence number (one transaction) order does not matter: each changes one thing.
  return events.sort((a, b) => a.seq - b.seq);
}

function apply(
  event: LogEvent,
  state: ExperimentState,
  cancelled: Set<string>,
  lineage: Map<string, { step: number; seq: number; state: PolicyState }[]>,
): void {
  switch (event.kind) {
    case 'eval':
      state.addEval(event.row);
      return;
    case 'discard': {
      state.discard(event.runId, event.step, event.evalSeq);
      const runLineage = lineage.get(event.runId);
      if (runLineage)
        lineage.set(
          event.runId,
          runLineage.filter((d) => d.seq !== event.evalSeq),
        );
      return;
    }
    case 'end':
      state.end(event.runId);
      return;
    case 'cancel':
      cancelled.add(event.runId);
      return;
  }
}

function mismatch(
  d: DecisionRow,
  what: ReplayMismatch['what'],
  recorded: unknown,
  replayed: unknown,
): ReplayMismatch {
  return { seq: d.seq, runId: d.runId, step: d.step, recorded, replayed, what };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(asJson(a))) === JSON.stringify(canonical(b));
}

/** Objects with sorted keys (jsonb does not keep key order). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}
