/** How often buffered output is written, and how much is buffered before writing at once. */
const FLUSH_EVERY_MS = 500;
const FLUSH_AT_CHARS = 64 * 1024;

export type AppendLog = (entry: { runId: string; attempt: number; text: string }) => Promise<void>;

/**
 * Buffers an attempt's output and appends it to its log twice a second. A failed write is
 * said once in the worker's log and the text kept for the next write: output is worth less than
 * training, so it never fails an attempt.
 */
export class RunLogWriter {
  private buffer = '';
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private failed = false;

  constructor(
    private readonly append: AppendLog,
    private readonly where: { runId: string; attempt: number },
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
  }

  line(text: string): void {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= FLUSH_AT_CHARS) void this.flush();
  }

  /** Writes what is buffered (after any write in flight). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.buffer === '') return;
      const text = this.buffer;
      this.buffer = '';
      try {
        await this.append({ ...this.where, text });
        this.failed = false;
      } catch (error) {
        this.buffer = text + this.buffer;
        if (!this.failed)
          this.log(`run ${this.where.runId}: output not stored yet (${(error as Error).message}); retrying`);
        this.failed = true;
      }
    });
    return this.writing;
  }

  /** Stops the timer and writes the rest. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
