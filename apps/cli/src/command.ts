import type { ResolvedEnv } from './env';

export interface CommandContext {
  env: ResolvedEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  /** One line for `curfew --help`. */
  summary: string;
  /** Full usage for `curfew COMMAND --help`. */
  usage: string;
  /** Returns the process exit code. Expected failures throw CliError. */
  run(args: string[], ctx: CommandContext): Promise<number>;
}
