import type { ResolvedEnv } from './env';

export interface CommandContext {
  env: ResolvedEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  /** Full usage for `curfew COMMAND --help`. */
  usage: string;
  /** Returns the process exit code. Expected failures throw CliError. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/**
 * A command as `curfew --help` lists it. Its module (and what that module imports: BullMQ, the
 * database drivers, TF.js) is loaded only when the command runs, so the CLI starts fast.
 */
export interface CommandEntry {
  name: string;
  /** One line for `curfew --help`. */
  summary: string;
  load(): Promise<Command>;
}
