// A trainer that trains nothing: it reports `evals` evals of a made-up learning curve, one per
// `evalEveryTokens`, through the same contract as the TF.js trainer (its decider decides every
// eval and is obeyed; `onEval` after each; the signal hands the run back). The worker drives it
// exactly as it drives `train`, so what a run costs with it is what curfew adds to training.
import type { Decision } from '@curfew/policies';
import type { EvalReport, TrainEval, TrainOptions, TrainRun, TrainSummary } from '@curfew/trainer';

/** The made-up EM at the k-th eval: rises and flattens, different per run id. */
function emAt(runId: string, k: number): number {
  const trial = Number(runId.slice(runId.lastIndexOf('/') + 1)) || 0;
  return (0.5 + ((trial * 7919) % 97) / 200) * (1 - Math.exp(-k / 3));
}

function evalAt(run: TrainRun, k: number): TrainEval {
  const em = emAt(run.runId, k);
  return {
    step: k,
    tokens: k * run.evalEveryTokens,
    valTokens: k * 10,
    trainLoss: 1.1 - em,
    valLoss: 1 - em,
    em,
    perplexity: Math.exp(1 - em),
    lr: 0.001,
    weightDecay: 0,
    dropout: 0,
    valExamples: 10,
    full: true,
    decision: 'continue',
  };
}

function reportOf(e: TrainEval): EvalReport {
  const { step, tokens, valTokens, lr, valExamples, full, weightDecay, dropout } = e;
  const metrics = { em: e.em, loss: e.valLoss, perplexity: e.perplexity, train_loss: e.trainLoss };
  return { step, tokens, valTokens, metrics, lr, valExamples, full, weightDecay, dropout };
}

/** Reports up to `evals` evals (fewer when the run's budget ends first or its decider stops it). */
export function reportOnlyTrainer(evals: number) {
  return async (run: TrainRun, options: TrainOptions): Promise<TrainSummary> => {
    const last = Math.min(evals, Math.floor(run.budgetTokens / run.evalEveryTokens));
    let done = 0;
    let decision: Decision = { kind: 'continue' };
    let best: TrainEval | null = null;
    while (done < last && decision.kind !== 'stop') {
      if (options.signal?.aborted) return summary(run, 'interrupted', null, done, best);
      const e = evalAt(run, done + 1);
      decision = options.decider ? await options.decider.decide(reportOf(e)) : decision;
      e.decision = decision.kind === 'stop' ? `stop:${decision.reason}` : decision.kind;
      if (!best || e.em > best.em) best = e;
      done += 1;
      await options.onEval?.(e);
    }
    if (decision.kind === 'stop') return summary(run, 'stopped', decision.reason, done, best);
    return summary(
      run,
      done * run.evalEveryTokens >= run.budgetTokens ? 'completed' : 'stopped',
      'budget',
      done,
      best,
    );
  };
}

function summary(
  run: TrainRun,
  status: TrainSummary['status'],
  stopReason: TrainSummary['stopReason'],
  evals: number,
  best: TrainEval | null,
): TrainSummary {
  return {
    runId: run.runId,
    status,
    stopReason,
    tokensUsed: evals * run.evalEveryTokens,
    valTokens: evals * 10,
    steps: evals,
    evals,
    bestStep: best?.step ?? null,
    bestTokens: best?.tokens ?? null,
    deployedEm: best?.em ?? null,
    backend: 'cpu',
    paramCount: 0,
    trainFlops: 0,
  };
}
