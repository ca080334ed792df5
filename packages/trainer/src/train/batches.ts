import { createRng } from '@curfew/spec';
import type { Example } from '../tasks/task';

/** Where the data stream is: the epoch and the position in that epoch's shuffled order. */
export interface DataCursor {
  epoch: number;
  index: number;
}

/**
 * Training batches in a shuffled order per epoch. Each epoch's order is a pure function of the
 * seed and the epoch number, so the cursor alone restores the stream after a crash.
 */
export class BatchStream {
  private order: number[];
  private cursor: DataCursor;

  constructor(
    private readonly examples: readonly Example[],
    private readonly seed: number,
    cursor: DataCursor = { epoch: 0, index: 0 },
  ) {
    this.cursor = { ...cursor };
    this.order = this.shuffle(cursor.epoch);
  }

  get position(): DataCursor {
    return { ...this.cursor };
  }

  next(size: number): Example[] {
    const batch: Example[] = [];
    while (batch.length < size) {
      if (this.cursor.index >= this.order.length) {
        this.cursor = { epoch: this.cursor.epoch + 1, index: 0 };
        this.order = this.shuffle(this.cursor.epoch);
      }
      batch.push(this.examples[this.order[this.cursor.index] as number] as Example);
      this.cursor.index += 1;
    }
    return batch;
  }

  private shuffle(epoch: number): number[] {
    const rng = createRng(`batches:${this.seed}:${epoch}`);
    const order = Array.from({ length: this.examples.length }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    return order;
  }
}
