import { type ChildProcess, spawn } from 'node:child_process';

export interface SupervisorOptions {
  /** Worker processes to keep running. */
  count: number;
  /** Node arguments of one worker process (the CLI's `curfew worker`). */
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Called with the live workers' pids whenever one starts or exits. */
  onChange?: (pids: number[]) => void;
  /**
   * Wait before restarting a worker that died; doubled (up to 30 s) while workers keep dying
   * within a minute of starting.
   * @defaultValue 1000
   */
  restartDelayMs?: number;
  /**
   * How long a worker may take to checkpoint and exit after SIGTERM before it is killed.
   * @defaultValue 10000
   */
  stopTimeoutMs?: number;
}

export interface Supervisor {
  pids(): number[];
  /** SIGTERM to every worker (they checkpoint and hand their runs back), SIGKILL after the timeout. */
  stop(): Promise<void>;
  /** SIGKILL to every worker now (a second Ctrl-C). */
  kill(): void;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once the process has exited, whether it ended with a code or was killed by a signal. */
function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child) || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Prefixes each line a worker prints with its slot, `[worker 2] …`. */
function relayLines(child: ChildProcess, slot: number, log: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(`[worker ${slot}] ${line}`);
    });
  }
}

/**
 * Keeps `count` worker processes running: one that exits while the cluster runs (a crash, an
 * out-of-memory kill, SIGKILL) is reported in one line and started again; BullMQ re-delivers its
 * run, which resumes from its last checkpoint.
 */
export function superviseWorkers(options: SupervisorOptions): Supervisor {
  const { count, args, env, log } = options;
  const baseDelayMs = options.restartDelayMs ?? 1_000;
  const children = new Map<number, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let nextDelayMs = baseDelayMs;
  const changed = () => options.onChange?.([...children.values()].flatMap((c) => (c.pid ? [c.pid] : [])));

  const start = (slot: number) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(slot, child);
    relayLines(child, slot, log);
    child.on('error', (error) => log(`[worker ${slot}] cannot start: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (children.get(slot) === child) children.delete(slot);
      changed();
      if (stopping) return;
      // A worker that keeps dying soon after it starts is restarted less and less often.
      const quick = Date.now() - startedAt < 60_000;
      const delayMs = quick ? nextDelayMs : baseDelayMs;
      nextDelayMs = quick ? Math.min(30_000, delayMs * 2) : baseDelayMs;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      log(`[worker ${slot}] ${how}; restarting it in ${Math.round(delayMs / 1000)} s`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) start(slot);
      }, delayMs);
      timers.add(timer);
    });
    changed();
  };
  for (let slot = 1; slot <= count; slot++) start(slot);

  return {
    pids: () => [...children.values()].flatMap((c) => (c.pid ? [c.pid] : [])),
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      const running = [...children.values()];
      for (const child of running) child.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const child of running) if (!exited(child)) child.kill('SIGKILL');
      }, options.stopTimeoutMs ?? 10_000);
      await Promise.all(running.map(exitOf));
      clearTimeout(killer);
    },
    kill() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      for (const child of children.values()) if (!exited(child)) child.kill('SIGKILL');
    },
  };
}
