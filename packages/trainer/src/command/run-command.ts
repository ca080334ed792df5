import type { Decision } from '@curfew/policies';
import { CommandFailedError, CommandProtocolError, CommandSilentError } from './command-errors';
import { type CommandAttempt, type CommandRun, commandArgv, commandEnv } from './command-run';
import { type LineSource, type ProgramExit, ProgramProcess } from './program-process';
import { type EvalLine, parseProtocolLine } from './protocol-line';

/** One eval of the program, as its decider is told it. */
export interface CommandEvalReport {
  step: number;
  tokens: number;
  valTokens: number;
  lr: number | null;
  valExamples: number | null;
  metrics: Record<string, number | null>;
}

export interface RunCommandOptions {
  /** Records the eval and answers continue, stop or adjust (in the cluster: the decision service). */
  decide: (report: CommandEvalReport) => Promise<Decision>;
  /** Every line of the program's other output, and curfew's notes about it (`curfew: …`). */
  onLog?: (line: string, source: LineSource | 'curfew') => void;
  /** The program announced a checkpoint in its folder. */
  onCheckpoint?: (checkpoint: { step: number; tokens: number }) => Promise<void> | void;
  onEval?: (report: CommandEvalReport, decision: Decision) => void;
  /** Aborting stops the program (SIGTERM, then SIGKILL) and returns `interrupted`. */
  signal?: AbortSignal;
}

export interface CommandSummary {
  runId: string;
  status: 'stopped' | 'completed' | 'interrupted';
  stopReason: string | null;
  tokensUsed: number;
  valTokens: number;
  evals: number;
  bestStep: number | null;
  bestTokens: number | null;
  /** The `em` of the best eval by the monitored metric (null when the program reports no em). */
  deployedEm: number | null;
  /** True when the program outlived its grace period after SIGTERM and was SIGKILLed. */
  killed: boolean;
}

/** Lines of the program's output kept for a failure's reason. */
const TAIL_LINES = 12;
const TAIL_CHARS = 1_200;

type Ending = { status: 'stopped' | 'completed'; reason: string } | { status: 'interrupted' };

/**
 * Trains one attempt of a command trainer's run: starts the program, passes each eval line to
 * the decider in order, obeys stop (SIGTERM, SIGKILL after `graceMs`), sends decisions on stdin
 * to a program that asked, and fails the attempt (with the program's last lines) when it
 * crashes, exits non-zero, breaks the protocol or reports nothing for `evalTimeoutMs`.
 */
export async function runCommand(
  run: CommandRun,
  attempt: CommandAttempt,
  options: RunCommandOptions,
): Promise<CommandSummary> {
  return new CommandSession(run, attempt, options).run();
}

class CommandSession {
  private program: ProgramProcess | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private ending: Ending | null = null;
  private asks = false;
  private killed = false;
  private readonly tail: string[] = [];
  private readonly evals: EvalLine[] = [];
  private best: Pick<EvalLine, 'step' | 'tokens' | 'metrics'> | null = null;
  private readonly prior: readonly EvalLine[];
  private silence: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run_: CommandRun,
    private readonly attempt: CommandAttempt,
    private readonly options: RunCommandOptions,
  ) {
    this.prior = (attempt.priorEvals ?? []).map((e) => ({
      kind: 'eval',
      step: e.step,
      tokens: e.tokens,
      valTokens: e.valTokens,
      lr: null,
      valExamples: null,
      metrics: { ...e.metrics },
    }));
    for (const e of this.prior) this.trackBest(e);
  }

  async run(): Promise<CommandSummary> {
    const { signal } = this.options;
    this.program = await ProgramProcess.start({
      argv: commandArgv(this.run_, this.attempt),
      cwd: this.run_.cwd,
      env: commandEnv(this.run_, this.attempt),
      evalFile: this.attempt.evalFile,
      onLine: (line, source) => this.onLine(line, source),
    });
    const onAbort = () => this.end({ status: 'interrupted' });
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) onAbort();
    this.armSilence();
    try {
      const exit = await this.program.exited;
      await this.chain;
      return this.result(exit);
    } finally {
      clearTimeout(this.silence);
      clearTimeout(this.killTimer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private onLine(line: string, source: LineSource): void {
    const parsed = source === 'stderr' ? ({ kind: 'log' } as const) : parseProtocolLine(line);
    if (parsed.kind === 'log') {
      this.log(line, source);
      return;
    }
    if (parsed.kind === 'ask') {
      this.asks = true;
      return;
    }
    if (parsed.kind === 'malformed') {
      this.fail(
        new CommandProtocolError(
          `malformed curfew line from ${source} (${parsed.message}): ${line.slice(0, 300)}`,
        ),
      );
      return;
    }
    if (parsed.kind === 'eval') this.armSilence();
    this.chain = this.chain
      .then(() =>
        this.failure || this.ending
          ? undefined
          : parsed.kind === 'eval'
            ? this.onEval(parsed)
            : this.options.onCheckpoint?.(parsed),
      )
      .catch((error: unknown) => this.fail(error as Error));
  }

  private async onEval(line: EvalLine): Promise<void> {
    const last = this.lastEval()?.step ?? this.attempt.resumedFromStep;
    if (last !== null && last !== undefined && line.step <= last)
      throw new CommandProtocolError(
        `eval at step ${line.step} is not after ${this.evals.length > 0 ? 'the previous eval' : 'the checkpoint it resumed'} (step ${last}): steps must increase`,
      );
    const report: CommandEvalReport = {
      step: line.step,
      tokens: line.tokens,
      valTokens: line.valTokens,
      lr: line.lr,
      valExamples: line.valExamples,
      metrics: line.metrics,
    };
    const decision = await this.options.decide(report);
    this.evals.push(line);
    this.trackBest(line);
    this.options.onEval?.(report, decision);
    if (this.asks) this.program?.send(JSON.stringify({ curfew: 'decision', step: line.step, ...decision }));
    if (decision.kind === 'stop') this.end({ status: 'stopped', reason: decision.reason });
    else if (line.tokens >= this.run_.budgetTokens) this.end({ status: 'completed', reason: 'budget' }, true);
    else if (decision.kind === 'adjust' && !this.asks)
      this.log(
        `curfew: adjust (${decision.reason}) not sent: the program never asked ({"curfew":"ask"})`,
        'curfew',
      );
  }

  /** The run's latest eval, from this attempt or the ones before it. */
  private lastEval(): EvalLine | undefined {
    return this.evals.at(-1) ?? this.prior.at(-1);
  }

  private trackBest(line: Pick<EvalLine, 'step' | 'tokens' | 'metrics'>): void {
    const value = line.metrics[this.run_.monitor];
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    const bestValue = this.best?.metrics[this.run_.monitor] as number | undefined;
    const better =
      bestValue === undefined || (this.run_.mode === 'max' ? value > bestValue : value < bestValue);
    if (better) this.best = line;
  }

  private log(line: string, source: LineSource | 'curfew'): void {
    this.options.onLog?.(line, source);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private fail(error: Error): void {
    if (this.failure || this.ending) return;
    this.failure = error;
    this.stopProgram();
  }

  /** Ends the attempt: at once (SIGTERM), or at its budget after the grace period to exit itself. */
  private end(ending: Ending, letItExit = false): void {
    if (this.failure || this.ending) return;
    this.ending = ending;
    clearTimeout(this.silence);
    if (!letItExit) this.stopProgram();
    else this.killTimer = setTimeout(() => this.stopProgram(), this.run_.graceMs);
  }

  private stopProgram(): void {
    const program = this.program;
    if (!program?.running) return;
    clearTimeout(this.killTimer);
    program.signal('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (!program.running) return;
      this.killed = true;
      this.log(
        `curfew: the program was still running ${this.run_.graceMs} ms after SIGTERM; sent SIGKILL`,
        'curfew',
      );
      program.signal('SIGKILL');
    }, this.run_.graceMs);
  }

  private armSilence(): void {
    clearTimeout(this.silence);
    const ms = this.run_.evalTimeoutMs;
    this.silence = setTimeout(() => {
      const since =
        this.evals.length > 0 ? `since its eval at step ${this.evals.at(-1)?.step}` : 'since it started';
      this.fail(
        new CommandSilentError(
          `the program reported no eval for ${ms} ms ${since} (trainer.eval_timeout_ms)`,
        ),
      );
    }, ms);
  }

  private result(exit: ProgramExit): CommandSummary {
    if (this.failure) throw this.withTail(this.failure);
    const ending = this.ending;
    if (ending?.status === 'interrupted') return this.summary('interrupted', null);
    if (ending) return this.summary(ending.status, ending.reason);
    if (exit.code !== 0)
      throw this.withTail(
        new CommandFailedError(
          exit.signal
            ? `the program was killed by ${exit.signal}`
            : `the program exited with code ${exit.code}`,
        ),
      );
    if (this.evals.length === 0)
      throw this.withTail(new CommandFailedError('the program exited (code 0) before reporting an eval'));
    const atBudget = (this.lastEval()?.tokens ?? 0) >= this.run_.budgetTokens;
    return atBudget ? this.summary('completed', 'budget') : this.summary('stopped', 'exited');
  }

  private withTail(error: Error): Error {
    let lines = this.tail.join('\n');
    if (lines.length > TAIL_CHARS) lines = `…${lines.slice(-TAIL_CHARS)}`;
    error.message = lines
      ? `${error.message}; its last lines:\n${lines}`
      : `${error.message}; it printed nothing`;
    return error;
  }

  private summary(status: CommandSummary['status'], stopReason: string | null): CommandSummary {
    const last = this.lastEval();
    const em = this.best?.metrics.em;
    return {
      runId: this.run_.runId,
      status,
      stopReason,
      tokensUsed: last?.tokens ?? 0,
      valTokens: last?.valTokens ?? 0,
      evals: this.evals.length,
      bestStep: this.best?.step ?? null,
      bestTokens: this.best?.tokens ?? null,
      deployedEm: typeof em === 'number' && em >= 0 && em <= 1 ? em : null,
      killed: this.killed,
    };
  }
}
