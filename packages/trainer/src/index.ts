// TensorFlow.js training for curfew: backends, built-in tasks with EM, models, the training loop
// and checkpoints. Knows nothing of queues or databases (STYLE.md): callers persist via callbacks.

export {
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  parseBackendName,
  type SelectedBackend,
  selectBackend,
} from './backend/select-backend';
export { adoptCheckpoint, checkpointStep } from './checkpoint/adopt-checkpoint';
export { CheckpointError } from './checkpoint/checkpoint-files';
export {
  CommandFailedError,
  CommandNotFoundError,
  CommandProtocolError,
  CommandSilentError,
  FINAL_COMMAND_ERRORS,
} from './command/command-errors';
export {
  type CommandAttempt,
  type CommandRun,
  commandArgv,
  commandEnv,
  type PriorEval,
  resolveCommandRun,
  runConfigOf,
} from './command/command-run';
export type { LineSource } from './command/program-process';
export { type ProtocolLine, parseProtocolLine } from './command/protocol-line';
export {
  type CommandEvalReport,
  type CommandSummary,
  type RunCommandOptions,
  runCommand,
} from './command/run-command';
export { createModel, ModelFamilyError, TRAINABLE_MODEL_FAMILIES } from './models/create-model';
export type { Model, ModelShape } from './models/model';
export { evalDifferences } from './same-evals';
export * from './tasks/index';
export type { Decider, EvalReport } from './train/decider';
export { createLocalDecider, type LocalDeciderOptions } from './train/local-decider';
export { budgetOfSpec, type ResolveOptions, resolveTrainRun } from './train/resolve-run';
export { train } from './train/train-run';
export type * from './train/types';
