import { createRequire } from 'node:module';
import type { CommandContext } from './command';
import { COMMANDS } from './commands/index';
import { describeFailure } from './errors';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'curfew: a training-time experiment orchestrator that learns when to stop.',
    '',
    'Usage: curfew COMMAND [options]      (curfew COMMAND --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Only unexpected failures throw (a bug: stack trace). */
export async function main(argv: string[], ctx: Omit<CommandContext, 'env'>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    ctx.out(`curfew ${version}`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry && name.startsWith('-')) {
    ctx.err(`curfew: unknown option ${name} (see curfew --help)`);
    return 2;
  }
  if (!entry) {
    ctx.err(`curfew: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return 2;
  }
  try {
    const [command, { readEnv }] = await Promise.all([entry.load(), import('./env')]);
    return await command.run(rest, { ...ctx, env: readEnv() });
  } catch (err) {
    const failure = describeFailure(err, name);
    if (!failure) throw err;
    ctx.err(failure.message);
    return failure.exitCode;
  }
}
