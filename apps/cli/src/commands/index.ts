import type { CommandEntry } from '../command';

/** Every command, in the order `curfew --help` lists them; each module is imported on demand. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'up',
    summary: 'start a local cluster (scheduler, workers, Redis, database)',
    load: async () => (await import('./up')).upCommand,
  },
  {
    name: 'submit',
    summary: 'submit an experiment spec to the cluster',
    load: async () => (await import('./submit')).submitCommand,
  },
  {
    name: 'status',
    summary: 'the database in use, experiments, their progress, the queues and the local cluster',
    load: async () => (await import('./status')).statusCommand,
  },
  {
    name: 'watch',
    summary: 'live view of the queues and active runs',
    load: async () => (await import('./watch')).watchCommand,
  },
  {
    name: 'runs',
    summary: 'list runs, or export them as curve files',
    load: async () => (await import('./runs')).runsCommand,
  },
  {
    name: 'logs',
    summary: "a run's status and its program's output, attempt by attempt",
    load: async () => (await import('./logs')).logsCommand,
  },
  {
    name: 'cancel',
    summary: 'cancel an experiment or runs',
    load: async () => (await import('./cancel')).cancelCommand,
  },
  {
    name: 'report',
    summary: 'write a self-contained HTML report of one experiment (curves, savings, runs)',
    load: async () => (await import('./report')).reportCommand,
  },
  {
    name: 'dashboard',
    summary: 'serve the web dashboard (experiments, live learning curves, runs, queues)',
    load: async () => (await import('./dashboard')).dashboardCommand,
  },
  {
    name: 'sql',
    summary: 'run a read-only SQL query on the run history (views: run_summary, experiment_summary, savings)',
    load: async () => (await import('./sql')).sqlCommand,
  },
  {
    name: 'validate',
    summary: 'check experiment specs (files or folders); one line per problem, with its path',
    load: async () => (await import('./validate')).validateCommand,
  },
  {
    name: 'tasks',
    summary: 'list the built-in task and model families, their parameters and defaults',
    load: async () => (await import('./tasks')).tasksCommand,
  },
  {
    name: 'train',
    summary: 'train one run of a spec here and now, no cluster needed; prints evals as they come',
    load: async () => (await import('./train')).trainCommand,
  },
  {
    name: 'worker',
    summary: 'start a training worker on the runs queue',
    load: async () => (await import('./worker')).workerCommand,
  },
  {
    name: 'replay',
    summary: 'judge a stopping policy on recorded learning curves, in seconds',
    load: async () => (await import('./replay')).replayCommand,
  },
  {
    name: 'predict',
    summary: "predict each run's peak tokens, EM and interval from similar past runs",
    load: async () => (await import('./predict')).predictCommand,
  },
  {
    name: 'demo',
    summary: 'run the end-to-end demo on a local cluster',
    load: async () => (await import('./demo')).demoCommand,
  },
];
