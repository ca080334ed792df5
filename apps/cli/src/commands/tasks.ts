import {
  describeParams,
  type ModelFamilyName,
  modelFamilies,
  modelFamilyNames,
  OptimizerParams,
  type ParamInfo,
} from '@curfew/spec';
import { oneOf, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';

const FORMATS = ['table', 'json'] as const;

interface ParamRow {
  name: string;
  default: ParamInfo['defaultValue'] | null;
  description: string | null;
}

interface TaskRow {
  name: string;
  description: string;
  params: ParamRow[];
  /** Budget and eval cadence when the spec leaves them out, at the default params. */
  default_budget_tokens: number;
  default_eval_every_tokens: number;
}

interface ModelRow {
  name: ModelFamilyName;
  description: string;
  trainable: boolean;
  params: ParamRow[];
}

interface Listing {
  tasks: TaskRow[];
  models: ModelRow[];
  /** Accepted by every model family, in model.params and search.space. */
  optimizer_params: ParamRow[];
}

const paramRows = (params: readonly ParamInfo[]): ParamRow[] =>
  params.map((p) => ({ name: p.name, default: p.defaultValue ?? null, description: p.description ?? null }));

async function listing(): Promise<Listing> {
  // Imported on demand: the trainer loads TF.js, which no other command should pay for.
  const { describeTaskFamilies, TRAINABLE_MODEL_FAMILIES } = await import('@curfew/trainer');
  const trainable: readonly string[] = TRAINABLE_MODEL_FAMILIES;
  return {
    tasks: describeTaskFamilies().map((t) => ({
      name: t.name,
      description: t.description,
      params: paramRows(t.params),
      default_budget_tokens: t.defaults.budgetTokens,
      default_eval_every_tokens: t.defaults.evalEveryTokens,
    })),
    models: modelFamilyNames.map((name) => ({
      name,
      description: modelFamilies[name].description,
      trainable: trainable.includes(name),
      params: paramRows(describeParams(modelFamilies[name].params)),
    })),
    optimizer_params: paramRows(describeParams(OptimizerParams)),
  };
}

function paramTable(params: readonly ParamRow[]): string[] {
  const nameWidth = Math.max('param'.length, ...params.map((p) => p.name.length));
  const defaults = params.map((p) => (p.default === null ? '(none)' : String(p.default)));
  const defaultWidth = Math.max('default'.length, ...defaults.map((d) => d.length));
  const line = (name: string, value: string, description: string) =>
    `    ${name.padEnd(nameWidth)}  ${value.padEnd(defaultWidth)}  ${description}`.trimEnd();
  return [
    line('param', 'default', 'description'),
    ...params.map((p, i) => line(p.name, defaults[i] as string, p.description ?? '')),
  ];
}

function formatListing(list: Listing): string {
  const trainable = list.models.filter((m) => m.trainable).map((m) => m.name);
  return [
    'Task families (task.family; their parameters go in task.params):',
    ...list.tasks.flatMap((t) => [
      '',
      `  ${t.name}: ${t.description}`,
      `    default budget ${t.default_budget_tokens} tokens, eval every ${t.default_eval_every_tokens} tokens (at the default params, when the spec sets no budget or eval)`,
      ...paramTable(t.params),
    ]),
    '',
    'Model families (model.family; their parameters go in model.params or search.space):',
    ...list.models.flatMap((m) => [
      '',
      `  ${m.name}: ${m.description}${m.trainable ? '' : ` Not trainable yet (curfew trains ${trainable.join(', ')}).`}`,
      ...paramTable(m.params),
    ]),
    '',
    'Optimizer parameters (every model family, in model.params or search.space):',
    ...paramTable(list.optimizer_params),
  ].join('\n');
}

export const tasksCommand: Command = {
  usage: `Usage: curfew tasks [--format table|json]

Lists what a spec can name: each task family (task.family) with its parameters, their
defaults, and the budget and eval cadence a run gets when the spec has no budget or eval
section (at the default parameters); each model family (model.family) with its parameters,
and whether the trainer builds it yet; and the optimizer parameters every model accepts.
  --format json   one JSON object: {"tasks": [...], "models": [...], "optimizer_params": [...]}`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('tasks', args, {
      format: { type: 'string', short: 'f' },
    });
    if (values.help) {
      ctx.out(this.usage);
      return 0;
    }
    if (positionals.length > 0) {
      throw new UsageError(`curfew tasks: unexpected argument "${positionals[0]}" (see curfew tasks --help)`);
    }
    const format = oneOf('tasks', 'format', values.format as string | undefined, FORMATS, 'table');
    const list = await listing();
    ctx.out(format === 'json' ? JSON.stringify(list, null, 2) : formatListing(list));
    return 0;
  },
};
