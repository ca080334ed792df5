import { type StoreDatabase, upsertEvals } from '@curfew/store';
import type { TrainEval } from '@curfew/trainer';

/** Evals buffered before a write. @defaultValue 20 */
const MAX_BUFFERED = 20;
/** Longest an eval waits in the buffer. */
const MAX_WAIT_MS = 1_000;

/**
 * Writes a run's evals in batches, idempotently on (run, step). Nothing is lost when the process
 * dies with evals buffered: every eval is in the run's checkpoint, and a resumed run hands them
 * back (`onResume`) to be written again.
 */
export class EvalWriter {
  private buffer: TrainEval[] = [];
  private lastFlushMs = Date.now();

  constructor(
    private readonly db: StoreDatabase,
    private readonly runId: string,
  ) {}

  async add(evals: readonly TrainEval[]): Promise<void> {
    this.buffer.push(...evals);
    if (this.buffer.length >= MAX_BUFFERED || Date.now() - this.lastFlushMs >= MAX_WAIT_MS)
      await this.flush();
  }

  async flush(): Promise<void> {
    const rows = this.buffer;
    this.buffer = [];
    this.lastFlushMs = Date.now();
    if (rows.length === 0) return;
    await upsertEvals(
      this.db,
      rows.map((e) => ({
        runId: this.runId,
        step: e.step,
        tokens: e.tokens,
        valTokens: e.valTokens,
        trainLoss: e.trainLoss,
        valLoss: e.valLoss,
        em: e.em,
        perplexity: e.perplexity,
        lr: e.lr,
        valExamples: e.valExamples,
        metrics: { weight_decay: e.weightDecay, dropout: e.dropout, full_validation: e.full ? 1 : 0 },
      })),
    );
  }
}
