import type { PathProblem } from './spec-problem.js';
import { COMMAND_PLACEHOLDERS, commandPlaceholders } from './trainer-spec.js';

type Loose = Record<string, unknown>;

const isMapping = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const section = (input: unknown, key: string): unknown => (isMapping(input) ? input[key] : undefined);

/** Whether the (raw) spec names a command trainer. */
export function hasCommandTrainer(input: unknown): boolean {
  return isMapping(section(input, 'trainer'));
}

/** Metric names a command trainer may report (and a policy monitor), as the decision service takes them. */
const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

function checkPlaceholders(input: unknown, trainer: Loose): PathProblem[] {
  const command = trainer.command;
  if (!Array.isArray(command) || !command.every((arg) => typeof arg === 'string')) return [];
  const space = section(section(input, 'search'), 'space');
  const params = trainer.params;
  const known = new Set<string>([
    ...COMMAND_PLACEHOLDERS,
    ...(isMapping(space) ? Object.keys(space) : []),
    ...(isMapping(params) ? Object.keys(params) : []),
  ]);
  return commandPlaceholders(command)
    .filter((p) => !known.has(p.name))
    .map((p) => ({
      path: ['trainer', 'command', p.index],
      message:
        `unknown placeholder {${p.name}} (expected a key of trainer.params or search.space, ` +
        `or one of ${COMMAND_PLACEHOLDERS.join(', ')})`,
    }));
}

function checkWithCommand(input: unknown, trainer: Loose): PathProblem[] {
  const problems: PathProblem[] = [];
  const hasCommand = trainer.command !== undefined;
  if (hasCommand === (trainer.external === true))
    problems.push({
      path: ['trainer'],
      message: hasCommand
        ? 'expected command: [...] (workers start your program) or external: true (the report API), not both'
        : 'expected command: [...] (workers start your program) or external: true (the report API)',
    });
  if (section(input, 'model') !== undefined)
    problems.push({
      path: ['model'],
      message:
        'your own trainer trains its own model: remove model (its parameters go in trainer.params or search.space)',
    });
  if (section(section(input, 'budget'), 'max_tokens_per_run') === undefined)
    problems.push({
      path: ['budget', 'max_tokens_per_run'],
      message: 'required with your own trainer (policies judge a run against its full budget)',
    });
  const monitor = section(section(input, 'policy'), 'monitor');
  if (typeof monitor === 'string' && !METRIC_NAME.test(monitor))
    problems.push({
      path: ['policy', 'monitor'],
      message: `expected a metric name of lowercase letters, digits and _.- (as the program reports it), got ${monitor}`,
    });
  return [...problems, ...checkPlaceholders(input, trainer)];
}

/**
 * A command trainer's spec: no built-in model, a budget (policies need it), placeholders that
 * name parameters, a monitor the program can report. Without one: a model, and a built-in task.
 */
export function checkTrainer(input: unknown): PathProblem[] {
  if (!isMapping(input)) return [];
  const trainer = section(input, 'trainer');
  if (isMapping(trainer)) return checkWithCommand(input, trainer);
  if (trainer !== undefined) return [];
  const problems: PathProblem[] = [];
  if (!('model' in input))
    problems.push({
      path: ['model'],
      message: 'required (or your own trainer: trainer.command or trainer.external)',
    });
  const task = section(input, 'task');
  if (
    isMapping(task) &&
    ('file' in task || task.family === 'file') &&
    section(section(input, 'budget'), 'max_tokens_per_run') === undefined
  )
    problems.push({
      path: ['budget', 'max_tokens_per_run'],
      message: "required with task.file (your data has no default budget; a few epochs' tokens is a start)",
    });
  if (section(section(input, 'task'), 'family') === 'custom')
    problems.push({
      path: ['task', 'family'],
      message: 'a custom task is trained by your own program: add trainer: { command: [...] }',
    });
  return problems;
}
