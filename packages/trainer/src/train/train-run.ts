import { type Decision, type EvalPoint, gain } from '@curfew/policies';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { readBundle } from '../checkpoint/checkpoint-files';
import { BatchStream } from './batches';
import { loadLatest, readWeights, saveBest, saveLatest, setWeights } from './checkpoint-run';
import type { Decider, EvalReport } from './decider';
import { crossEntropy, encodeInputs, encodeTargets } from './encode';
import { createLocalDecider } from './local-decider';
import { modelFactoryOf, type RunSetup, setUpRun, taskDataOf } from './run-setup';
import { freshState, type RunState } from './run-state';
import { type ExampleScores, scoreExamples } from './score';
import type { StartInfo, TrainEval, TrainOptions, TrainRun, TrainSummary } from './types';

/** Lets the event loop run (BullMQ lock renewal, signals) between training steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains one run: evaluates every `evalEveryTokens` (and at once when the training loss turns
 * non-finite), asks its decider after each eval and obeys it, checkpoints after each eval, and
 * resumes from the latest checkpoint when there is one. Knows nothing of queues or databases:
 * the decider and the callbacks are the caller's.
 */
export async function train(run: TrainRun, options: TrainOptions = {}): Promise<TrainSummary> {
  const backend = await selectBackend(options.backend);
  const setup = setUpRun(run, await taskDataOf(run.task), await modelFactoryOf(run.model));
  try {
    const decider = options.decider ?? createLocalDecider(run);
    const trainer = new RunTrainer(run, options, setup, backend.name, decider);
    await trainer.start();
    await options.onStart?.(trainer.startInfo());
    return await trainer.loop();
  } finally {
    setup.dispose();
  }
}

class RunTrainer {
  private state: RunState;
  private stream: BatchStream;
  private bestWeights: Map<string, Float32Array> | null = null;

  constructor(
    private readonly run: TrainRun,
    private readonly options: TrainOptions,
    private readonly setup: RunSetup,
    private readonly backend: TrainSummary['backend'],
    private readonly decider: Decider,
  ) {
    this.state = freshState(run.evalEveryTokens, setup.baseWeightDecay, setup.baseDropout);
    this.stream = new BatchStream(setup.data.train, setup.seed);
  }

  async start(): Promise<void> {
    const dir = this.options.checkpointDir;
    if (!dir || this.options.resume === false) return;
    const restored = await loadLatest(dir, this.run, this.setup);
    if (!restored) return;
    this.state = restored;
    this.stream = new BatchStream(this.setup.data.train, this.setup.seed, restored.cursor);
    this.decider.restore?.(restored.policy);
    this.setup.schedule.restore(restored.schedule);
    if (this.setup.regularizer && restored.regularizer) this.setup.regularizer.restore(restored.regularizer);
    if (restored.best) this.bestWeights = await this.loadBestWeights();
  }

  startInfo(): StartInfo {
    return {
      backend: this.backend,
      paramCount: this.setup.model.paramCount,
      resumedFromStep: this.state.step > 0 ? this.state.step : null,
      validationExamples: this.setup.validator.size,
    };
  }

  async loop(): Promise<TrainSummary> {
    const { signal } = this.options;
    while (!this.state.ended) {
      if (signal?.aborted) {
        await this.checkpoint();
        return this.summary('interrupted');
      }
      const loss = this.trainStep();
      await yieldToEventLoop();
      // A loss gone NaN or infinite is reported at once: its decider stops the run (diverged).
      if (this.state.tokens >= this.state.nextEvalTokens || this.atBudget() || !Number.isFinite(loss)) {
        await this.evalAndDecide();
      }
    }
    return this.summary(this.state.ended.reason === 'budget' ? 'completed' : 'stopped');
  }

  /** True when not one more example fits in the budget (a run never trains past it). */
  private atBudget(): boolean {
    return this.run.budgetTokens - this.state.tokens < this.setup.exampleTokens;
  }

  /** One batch; returns its loss. */
  private trainStep(): number {
    const { model, optimizer, data, batchSize, seed, exampleTokens } = this.setup;
    // The last batch is cut short so the run ends on its budget, not a fraction of a batch past it.
    const fits = Math.floor((this.run.budgetTokens - this.state.tokens) / exampleTokens);
    const batch = this.stream.next(Math.max(1, Math.min(batchSize, fits)));
    const lr = this.setup.schedule.lrAt(this.state.tokens);
    const dropoutSeed = (seed * 1_000_003 + this.state.step * 7919) % 2_147_483_647;
    const loss = tf.tidy(() => {
      const inputs = encodeInputs(batch, data);
      const targets = encodeTargets(batch, data);
      const { value, grads } = tf.variableGrads(() =>
        crossEntropy(model.apply(inputs, { dropout: this.state.dropout, seed: dropoutSeed }), targets),
      );
      optimizer.apply(grads, lr, this.state.weightDecay);
      return value.dataSync()[0] as number;
    });
    this.state.step += 1;
    for (const example of batch) this.state.tokens += example.input.length + example.target.length;
    this.state.cursor = this.stream.position;
    this.state.trainLoss = { sum: this.state.trainLoss.sum + loss, count: this.state.trainLoss.count + 1 };
    return loss;
  }

  private async evalAndDecide(): Promise<void> {
    const { point, evalRow } = await this.evaluate();
    const decision = await this.decider.decide(this.reportOf(evalRow));
    this.state.points.push(point);
    evalRow.decision = decision.kind === 'continue' && this.atBudget() ? 'stop:budget' : describe(decision);
    this.state.evals.push(evalRow);
    this.applySchedules(point, evalRow, decision);
    await this.trackBest(point, evalRow);
    const atBudget = this.atBudget();
    if (decision.kind === 'stop') this.state.ended = { reason: decision.reason };
    else if (atBudget) this.state.ended = { reason: 'budget' };
    this.state.nextEvalTokens += this.run.evalEveryTokens;
    while (this.state.nextEvalTokens <= this.state.tokens)
      this.state.nextEvalTokens += this.run.evalEveryTokens;
    await this.options.onEval?.(evalRow);
    await this.checkpoint();
  }

  private async evaluate(): Promise<{ point: EvalPoint; evalRow: TrainEval }> {
    const { validator, model, monitor } = this.setup;
    const best = this.state.best;
    const { sum, count } = this.state.trainLoss;
    const trainLoss = count > 0 ? sum / count : null;
    const result = await validator.evaluate(model, {
      best: best && monitor === 'em' ? best.value : null,
      // A dry run of the decision on the sampled scores, with exactly the eval it would see.
      wouldAct: async (scores) =>
        (await this.decider.peek(this.reportOf(this.evalRowOf(scores, trainLoss, false, scores.tokens))))
          .kind !== 'continue',
    });
    const { scores } = result;
    this.state.trainLoss = { sum: 0, count: 0 };
    this.state.valTokens += scores.tokens;
    return {
      point: this.pointOf(scores, trainLoss),
      evalRow: this.evalRowOf(scores, trainLoss, result.full, 0),
    };
  }

  /** The eval these scores make; `unscoredTokens` are validation tokens not yet counted in the state. */
  private evalRowOf(
    scores: ExampleScores,
    trainLoss: number | null,
    full: boolean,
    unscoredTokens: number,
  ): TrainEval {
    const valLoss = scores.lossSum / scores.examples;
    return {
      step: this.state.step,
      tokens: this.state.tokens,
      valTokens: this.state.valTokens + unscoredTokens,
      trainLoss,
      valLoss,
      em: scores.correct / scores.examples,
      perplexity: Math.exp(valLoss),
      lr: this.setup.schedule.lrAt(this.state.tokens),
      weightDecay: this.state.weightDecay,
      dropout: this.state.dropout,
      valExamples: scores.examples,
      full,
      decision: 'continue',
    };
  }

  /** The eval as its decider is told it. */
  private reportOf(e: TrainEval): EvalReport {
    return {
      step: e.step,
      tokens: e.tokens,
      valTokens: e.valTokens,
      metrics: { em: e.em, loss: e.valLoss, perplexity: e.perplexity, train_loss: e.trainLoss },
      lr: e.lr,
      valExamples: e.valExamples,
      full: e.full,
      weightDecay: e.weightDecay,
      dropout: e.dropout,
    };
  }

  /** The point a policy sees for these validation scores at the current step. */
  private pointOf(scores: ExampleScores, trainLoss: number | null): EvalPoint {
    const valLoss = scores.lossSum / scores.examples;
    const metrics: Record<string, number> = {
      em: scores.correct / scores.examples,
      loss: valLoss,
      perplexity: Math.exp(valLoss),
    };
    if (trainLoss !== null) metrics.train_loss = trainLoss;
    const value = metrics[this.setup.monitor];
    if (value === undefined) {
      throw new Error(
        `policy.monitor: the trainer reports em, loss, perplexity and train_loss, not ${this.setup.monitor}`,
      );
    }
    return { step: this.state.step, tokens: this.state.tokens, value, metrics };
  }

  private applySchedules(point: EvalPoint, evalRow: TrainEval, decision: Decision): void {
    const { schedule, regularizer } = this.setup;
    schedule.onEval(point);
    if (regularizer) {
      const sample = this.setup.data.train.slice(0, this.setup.validator.size);
      const trainScores = scoreExamples(this.setup.model, sample, this.setup.data);
      this.state.valTokens += trainScores.tokens;
      const step = regularizer.onEval({
        trainValue: trainScores.correct / trainScores.examples,
        valValue: evalRow.em,
        mode: 'max',
      });
      this.state.weightDecay = step.weightDecay;
      this.state.dropout = step.dropout;
    }
    if (decision.kind === 'adjust') {
      if (decision.lrFactor !== undefined) schedule.scale(decision.lrFactor);
      if (decision.lr !== undefined) schedule.scale(decision.lr / schedule.lrAt(this.state.tokens));
      if (decision.weightDecay !== undefined) this.state.weightDecay = decision.weightDecay;
      if (decision.dropout !== undefined) this.state.dropout = decision.dropout;
    }
  }

  private async trackBest(point: EvalPoint, evalRow: TrainEval): Promise<void> {
    const best = this.state.best;
    if (best && !(gain(point.value, best.value, this.setup.mode) > 0)) return;
    const index = this.state.points.length - 1;
    this.state.best = {
      index,
      step: point.step,
      tokens: point.tokens,
      value: point.value,
      em: evalRow.em,
      full: evalRow.full,
    };
    this.bestWeights = readWeights(this.setup.model);
    const dir = this.options.checkpointDir;
    if (!dir) return;
    const bytes = await saveBest(dir, this.run.runId, this.bestWeights, { best: this.state.best });
    await this.options.onCheckpoint?.({
      kind: 'best',
      step: point.step,
      tokens: point.tokens,
      path: `${dir}/best.json`,
      bytes,
    });
  }

  private async checkpoint(): Promise<void> {
    const dir = this.options.checkpointDir;
    if (!dir) return;
    this.state.policy = this.decider.snapshot?.() ?? {};
    this.state.schedule = this.setup.schedule.snapshot();
    this.state.regularizer = this.setup.regularizer?.snapshot() ?? null;
    const bytes = await saveLatest(dir, this.run, this.setup, this.state);
    const { step, tokens } = this.state;
    await this.options.onCheckpoint?.({ kind: 'latest', step, tokens, path: `${dir}/latest.json`, bytes });
  }

  private async loadBestWeights(): Promise<Map<string, Float32Array> | null> {
    const dir = this.options.checkpointDir;
    if (!dir) return null;
    const bundle = await readBundle<unknown>(dir, 'best');
    if (!bundle) return null;
    return new Map([...bundle.arrays].map(([k, v]) => [k.replace(/^w:/, ''), v] as const));
  }

  /** Deployed EM: the best checkpoint scored on the full validation set (once, at the end). */
  private deployedEm(): number | null {
    const best = this.state.best;
    if (!best) return null;
    if (best.full || !this.bestWeights) return best.em;
    const current = readWeights(this.setup.model);
    setWeights(this.setup.model, this.bestWeights);
    const { scores } = this.setup.validator.full(this.setup.model);
    this.state.valTokens += scores.tokens;
    setWeights(this.setup.model, current);
    return scores.correct / scores.examples;
  }

  private summary(status: TrainSummary['status']): TrainSummary {
    const { state, setup } = this;
    const reason = state.ended?.reason ?? null;
    return {
      runId: this.run.runId,
      status,
      stopReason: reason as TrainSummary['stopReason'],
      tokensUsed: state.tokens,
      valTokens: state.valTokens,
      steps: state.step,
      evals: state.evals.length,
      bestStep: state.best?.step ?? null,
      bestTokens: state.best?.tokens ?? null,
      deployedEm: status === 'interrupted' ? (state.best?.em ?? null) : this.deployedEm(),
      backend: this.backend,
      paramCount: setup.model.paramCount,
      trainFlops: 3 * setup.model.forwardFlopsPerExample * (state.tokens / setup.exampleTokens),
    };
  }
}

function describe(decision: Decision): string {
  switch (decision.kind) {
    case 'continue':
      return 'continue';
    case 'stop':
      return `stop:${decision.reason}`;
    case 'adjust':
      return `adjust:${decision.reason}`;
  }
}
