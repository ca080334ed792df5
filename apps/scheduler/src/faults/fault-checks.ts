import { replayDecisionLog } from '@curfew/decisions';
import { type ExperimentSpec, expandSearch } from '@curfew/spec';
import { decisions, evals, getExperiment, runAttempts, runsOf, type StoreDatabase } from '@curfew/store';
import { resolveTrainRun, type TrainEval, train } from '@curfew/trainer';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { expect } from 'vitest';

/**
 * The evals each run of `spec` must have: the run trained alone, uninterrupted, to its budget
 * (policy none: the policies of these specs never change training, they only stop it).
 */
export async function referenceEvals(
  spec: ExperimentSpec,
  experimentId: string,
): Promise<Map<string, TrainEval[]>> {
  const out = new Map<string, TrainEval[]>();
  for (const config of expandSearch(spec)) {
    const runId = `${experimentId}/${config.trial}`;
    const evalsOf: TrainEval[] = [];
    const run = resolveTrainRun({ ...spec, policy: { name: 'none' } }, config, { runId });
    await train(run, { backend: 'cpu', onEval: (e) => void evalsOf.push(e) });
    out.set(runId, evalsOf);
  }
  return out;
}

const FINAL = ['stopped', 'completed', 'failed', 'cancelled'];

/**
 * What every fault test checks once its experiment is over: every run ended exactly once with
 * a final status; its live evals are exactly the uninterrupted run's, up to where its recorded
 * decision stopped it (none missing, none duplicated, every value equal); each has one standing
 * decision; the experiment is closed; and the replayed decision log gives the same decisions.
 */
export async function checkExperiment(
  db: StoreDatabase,
  experimentId: string,
  references: ReadonlyMap<string, TrainEval[]>,
  expected: { status?: string; runStatus?: string } = {},
): Promise<void> {
  const experiment = await getExperiment(db, experimentId);
  expect(experiment.status).toBe(expected.status ?? 'done');
  for (const run of await runsOf(db, experimentId)) {
    expect(FINAL).toContain(run.status);
    if (expected.runStatus) expect(run.status).toBe(expected.runStatus);
    expect(run.endSeq).not.toBeNull();
    const attempts = await db
      .select()
      .from(runAttempts)
      .where(eq(runAttempts.runId, run.id))
      .orderBy(asc(runAttempts.attempt));
    // Ended exactly once: one attempt carries the run's final status, none is left live.
    expect(attempts.filter((a) => a.outcome === run.status).map((a) => a.runId)).toHaveLength(
      run.attempts > 0 ? 1 : 0,
    );
    expect(attempts.filter((a) => a.outcome === null)).toEqual([]);
    await checkEvals(db, run, references.get(run.id) ?? []);
  }
  const replay = await replayDecisionLog(db, experimentId);
  expect(replay.mismatches).toEqual([]);
}

async function checkEvals(
  db: StoreDatabase,
  run: Awaited<ReturnType<typeof runsOf>>[number],
  reference: readonly TrainEval[],
): Promise<void> {
  const live = await db.select().from(evals).where(eq(evals.runId, run.id)).orderBy(asc(evals.step));
  const standing = await db
    .select()
    .from(decisions)
    .where(and(eq(decisions.runId, run.id), isNull(decisions.discardedSeq)))
    .orderBy(asc(decisions.step));
  // One standing decision per live eval, the same steps.
  expect(standing.map((d) => d.step)).toEqual(live.map((e) => e.step));
  const fields = (e: {
    step: number;
    tokens: number;
    em: number | null;
    lr: number | null;
    valExamples: number | null;
  }) => [e.step, e.tokens, e.em, e.lr, e.valExamples];
  expect(live.map((e) => [...fields(e), e.valLoss, e.trainLoss])).toEqual(
    reference.slice(0, live.length).map((e) => [...fields(e), e.valLoss, e.trainLoss]),
  );
  const stops = standing.filter((d) => d.kind === 'stop');
  if (run.status === 'failed') return;
  if (run.status === 'completed') {
    expect(stops).toEqual([]);
    expect(live).toHaveLength(reference.length);
  } else {
    // Stopped (or cancelled) at its first stop decision, and nothing after it.
    expect(stops.map((d) => d.step)).toEqual([live.at(-1)?.step]);
    expect(run.stopReason).toBe(stops[0]?.reason);
  }
  expect(run.tokensUsed).toBe(live.at(-1)?.tokens ?? 0);
}
