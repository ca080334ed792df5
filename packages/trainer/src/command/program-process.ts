import { type ChildProcess, spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CommandNotFoundError } from './command-errors';

/** Longest line kept (of the log, or read as protocol); longer ones are cut. */
export const MAX_LINE_CHARS = 8_192;
const EVAL_FILE_POLL_MS = 200;

export type LineSource = 'stdout' | 'stderr' | 'eval-file';

export interface ProgramOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  evalFile: string;
  onLine: (line: string, source: LineSource) => void;
}

export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The user's program as a child process: started with argv (never a shell) in its own process
 * group (so a stop reaches the processes it starts too), its stdout, stderr and eval file read
 * line by line. `exited` settles once it has exited and every line has been handed over.
 */
export class ProgramProcess {
  readonly exited: Promise<ProgramExit>;
  private readonly child: ChildProcess;
  private done = false;

  private constructor(child: ChildProcess, options: ProgramOptions, spawned: Promise<void>) {
    this.child = child;
    const tail = tailFile(options.evalFile, (line) => options.onLine(line, 'eval-file'));
    const streams = (['stdout', 'stderr'] as const).map((source) => {
      const rl = createInterface({
        input: child[source] as NodeJS.ReadableStream,
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      rl.on('line', (line) => options.onLine(line.slice(0, MAX_LINE_CHARS), source));
      return new Promise<void>((resolve) => rl.once('close', resolve));
    });
    child.stdin?.on('error', () => undefined); // the program may exit before reading what it asked for
    const closed = new Promise<ProgramExit>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    this.exited = spawned.then(async () => {
      const exit = await closed;
      await Promise.all(streams);
      await tail.stop();
      this.done = true;
      return exit;
    });
    // A program that never started is reported by start(); nobody awaits `exited` then.
    this.exited.catch(() => undefined);
  }

  /** Starts the program; a missing folder or program is a CommandNotFoundError naming the field. */
  static async start(options: ProgramOptions): Promise<ProgramProcess> {
    const folder = await stat(options.cwd).catch(() => null);
    if (!folder?.isDirectory())
      throw new CommandNotFoundError(`trainer.cwd: ${options.cwd} is not a folder on this worker`);
    const [program, ...args] = options.argv as [string, ...string[]];
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new CommandNotFoundError(
            `trainer.command[0]: ${program} cannot be started (${error.code ?? error.message}): ` +
              `not found on PATH, not executable, or not in ${options.cwd}`,
          ),
        ),
      );
    });
    const started = new ProgramProcess(child, options, spawned);
    await spawned;
    return started;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes one line to the program's stdin (when it is still reading). */
  send(line: string): void {
    if (this.running && this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }

  /** Signals the program's whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      this.child.kill(signal);
    }
  }
}

/** Reads lines appended to a file (which may not exist yet) until stopped; a last read on stop. */
function tailFile(file: string, onLine: (line: string) => void): { stop(): Promise<void> } {
  let offset = 0;
  let partial = '';
  let reading: Promise<void> = Promise.resolve();
  const read = async () => {
    const handle = await open(file, 'r').catch(() => null);
    if (!handle) return;
    try {
      for (;;) {
        const buffer = Buffer.alloc(64 * 1024);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line.slice(0, MAX_LINE_CHARS));
      }
    } finally {
      await handle.close();
    }
  };
  const timer = setInterval(() => {
    reading = reading.then(read, read);
  }, EVAL_FILE_POLL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await reading.catch(() => undefined);
      await read().catch(() => undefined);
      if (partial.trim() !== '') onLine(partial.slice(0, MAX_LINE_CHARS));
    },
  };
}
