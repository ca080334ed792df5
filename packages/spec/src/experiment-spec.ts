import { z } from 'zod';
import { BudgetSpec } from './budget-spec.js';
import { EvalSpec } from './eval-spec.js';
import { expecting } from './fields.js';
import { LrScheduleSpec } from './lr-schedule-spec.js';
import { ModelSpec } from './model-spec.js';
import { defaultPolicy, PolicySpec } from './policy-spec.js';
import { RegularizationSpec } from './regularization-spec.js';
import { ResourcesSpec } from './resources-spec.js';
import { SearchSpec } from './search-spec.js';
import { checkSpecConsistency } from './spec-consistency.js';
import { TaskSpec } from './task-spec.js';
import { CommandTrainerSpec } from './trainer-spec.js';

/** Longest experiment name (a DNS label, so it fits queue names and hostnames). */
export const maxNameLength = 63;

export const ExperimentName = z
  .string({ error: expecting('a name of lowercase letters, digits and dashes') })
  .regex(/^[a-z0-9-]+$/, { error: expecting('lowercase letters, digits and dashes') })
  .max(maxNameLength, {
    error: (issue) => `expected at most ${maxNameLength} characters, got ${String(issue.input).length}`,
  });

/** The experiment spec (DESIGN.md): strict everywhere, defaults filled in on parse. */
export const ExperimentSpec = z
  .strictObject(
    {
      name: ExperimentName,
      task: TaskSpec,
      /** The built-in trainer's model; a command trainer (`trainer`) trains its own. */
      model: ModelSpec.optional(),
      /** A command trainer: the user's own program trains each run. */
      trainer: CommandTrainerSpec.optional(),
      search: SearchSpec.optional(),
      budget: BudgetSpec.optional(),
      eval: EvalSpec.optional(),
      policy: PolicySpec.prefault(defaultPolicy),
      lr_schedule: LrScheduleSpec.prefault({ name: 'constant' }),
      regularization: RegularizationSpec.prefault({}),
      resources: ResourcesSpec.prefault({}),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type' ? expecting('an experiment spec (a mapping)')(issue) : undefined,
    },
  )
  .superRefine((spec, ctx) => {
    for (const problem of checkSpecConsistency(spec)) {
      ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    }
  });
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
/** What a user may write: every defaulted field optional. */
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>;
