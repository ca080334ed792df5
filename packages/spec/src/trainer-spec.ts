import { z } from 'zod';
import { booleanField, expecting, intField, stringField } from './fields.js';

/**
 * Placeholders a command's arguments may use besides the run's parameters: `{run_id}`,
 * `{trial}`, `{attempt}`, `{checkpoint_dir}` and `{eval_file}`.
 */
export const COMMAND_PLACEHOLDERS = ['run_id', 'trial', 'attempt', 'checkpoint_dir', 'eval_file'] as const;

/** `{name}` in an argument: a run parameter or one of {@link COMMAND_PLACEHOLDERS}. */
export const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/gi;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Extra environment variables. Names are checked here rather than by a key schema so that the
 * message names the variable; `CURFEW_` ones are curfew's own.
 */
const EnvSpec = z
  .record(z.string(), z.string({ error: expecting('a string') }), {
    error: expecting('a mapping of variable name to value'),
  })
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!ENV_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'expected a variable name ([A-Za-z_][A-Za-z0-9_]*)',
        });
      else if (name.toUpperCase().startsWith('CURFEW_'))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'CURFEW_ variables are set by curfew for each run; choose another name',
        });
    }
  });

const paramValue = z.union([z.number(), z.string(), z.boolean()], {
  error: expecting('a number, a string or true/false'),
});

/**
 * `trainer: { command: [...] }`: each run starts this program (argv, never a shell) with the
 * run's parameters substituted into `{name}` placeholders and its config as JSON in
 * CURFEW_RUN_CONFIG. The program prints `{"curfew":"eval",…}` lines; curfew stops it with
 * SIGTERM (SIGKILL after `grace_ms`) when the policy says stop.
 *
 * `trainer: { external: true }`: no worker trains the runs; trainers anywhere take them through
 * the report API (ask for a run, report evals, get decisions, finish).
 */
export const CommandTrainerSpec = z.strictObject(
  {
    command: z
      .array(stringField(), {
        error: expecting('a list: the program and its arguments, e.g. [python3, train.py]'),
      })
      .min(1, { error: 'expected at least the program to run, e.g. [python3, train.py]' })
      .max(256, { error: 'expected at most 256 arguments' })
      .optional()
      .describe('Program and arguments; `{lr}` is replaced by the run parameter lr.'),
    external: booleanField()
      .optional()
      .describe('true: trainers outside the cluster take the runs through the report API.'),
    cwd: stringField()
      .optional()
      .describe("Working directory; a relative one is taken from the spec file's folder at submit."),
    env: EnvSpec.optional().describe('Extra environment variables of the program.'),
    params: z
      .record(z.string(), paramValue, { error: expecting('a mapping of parameter name to value') })
      .prefault({})
      .describe('Fixed parameters of every run (the searched ones override them).'),
    eval_timeout_ms: intField({ min: 100 })
      .default(600_000)
      .describe(
        'Longest wait for an eval (from start, or since the last one), in ms; an external run is then handed back.',
      ),
    grace_ms: intField({ min: 0 })
      .default(10_000)
      .describe('How long the program may take to exit after SIGTERM before SIGKILL, in ms.'),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? expecting('a mapping with command: [...]')(issue) : undefined,
  },
);
export type CommandTrainerSpec = z.infer<typeof CommandTrainerSpec>;

/** The placeholder names used in a command's arguments, with the index of their argument. */
export function commandPlaceholders(command: readonly string[]): { index: number; name: string }[] {
  return command.flatMap((arg, index) =>
    [...arg.matchAll(PLACEHOLDER)].map((m) => ({ index, name: m[1] as string })),
  );
}
