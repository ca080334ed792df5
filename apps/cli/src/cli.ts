import { createRequire } from 'node:module';
import type { Command, CommandContext } from './command';
import { cancelCommand } from './commands/cancel';
import { dashboardCommand } from './commands/dashboard';
import { demoCommand } from './commands/demo';
import { predictCommand } from './commands/predict';
import { replayCommand } from './commands/replay';
import { reportCommand } from './commands/report';
import { runsCommand } from './commands/runs';
import { sqlCommand } from './commands/sql';
import { statusCommand } from './commands/status';
import { submitCommand } from './commands/submit';
import { tasksCommand } from './commands/tasks';
import { trainCommand } from './commands/train';
import { upCommand } from './commands/up';
import { validateCommand } from './commands/validate';
import { watchCommand } from './commands/watch';
import { workerCommand } from './commands/worker';
import { readEnv } from './env';
import { isExpectedError } from './errors';

const commands: Command[] = [
  upCommand,
  submitCommand,
  statusCommand,
  watchCommand,
  runsCommand,
  cancelCommand,
  reportCommand,
  dashboardCommand,
  sqlCommand,
  validateCommand,
  tasksCommand,
  trainCommand,
  workerCommand,
  replayCommand,
  predictCommand,
  demoCommand,
];

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'curfew: a training-time experiment orchestrator that learns when to stop.',
    '',
    'Usage: curfew COMMAND [options]      (curfew COMMAND --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -v, --version  print the version',
  ].join('\n');
}

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
  const command = commands.find((c) => c.name === name);
  if (!command && name.startsWith('-')) {
    ctx.err(`curfew: unknown option ${name} (see curfew --help)`);
    return 2;
  }
  if (!command) {
    ctx.err(`curfew: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})`);
    return 2;
  }
  try {
    return await command.run(rest, { ...ctx, env: readEnv() });
  } catch (err) {
    if (isExpectedError(err)) {
      ctx.err(err.message);
      return 'exitCode' in err && typeof err.exitCode === 'number' ? err.exitCode : 1;
    }
    throw err;
  }
}
