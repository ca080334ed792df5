import path from 'node:path';
import { type ExperimentSpec, expandSearch, formatProblem, loadSpecFile } from '@curfew/spec';
import type { BackendName, TrainRun } from '@curfew/trainer';
import { oneOf, parseCommandArgs } from '../args';
import type { Command, CommandContext } from '../command';
import { envBackend } from '../env';
import { CliError, isExpectedError, UsageError } from '../errors';
import { withSpecPaths } from '../experiments/spec-paths';
import { watchInterrupts } from '../train/interrupt';
import { prepareRunFolder } from '../train/run-folder';
import {
  formatEval,
  formatEvalHeader,
  formatHeader,
  formatSummary,
  TRAIN_FORMATS,
  type TrainFormat,
} from '../train/train-report';

type Trainer = typeof import('@curfew/trainer');

const usage = `Usage: curfew train SPEC [--trial N] [--format table|jsonl] [--backend node-gpu|node|wasm|cpu]
                    [--artifacts DIR] [--no-resume]

Trains one run of an experiment spec in this process (no Redis, no database) and prints each
eval as it arrives, then a summary. A bad spec prints its problems as curfew validate does.
  --trial N        the run of the expanded search space to train, from 0 (default 0)
  --format jsonl   one JSON line per eval: step, tokens, em, loss (val loss), lr, train_loss,
                   perplexity, val_tokens, val_examples, full, weight_decay, dropout, decision;
                   then {"summary": {...}}: status, stop_reason, tokens_used, best_step, deployed_em…
  --backend NAME   TF.js backend (default: $CURFEW_BACKEND, else the best that loads)
  --artifacts DIR  checkpoints go to DIR/RUN_ID (default: $CURFEW_ARTIFACTS, else
                   $CURFEW_HOME/artifacts; CURFEW_HOME defaults to .curfew)
  --no-resume      delete the run's checkpoints first and train from the start
The same command again resumes the run from its checkpoint (a finished run prints its
summary). Ctrl-C saves a checkpoint and exits 130; the same command resumes.
Policies: meta learns from run history, which curfew train has none of (use auto: without
history it falls back to its threshold rule). median and asha compare the runs of an
experiment; a run trained alone has no peers, so they stop nothing here.`;

/** What the command line asks for, checked: one line of usage error for anything wrong. */
interface TrainRequest {
  file: string;
  trial: number;
  format: TrainFormat;
  /** From --backend; undefined: CURFEW_BACKEND, else automatic. */
  backend: BackendName | undefined;
  artifacts: string | undefined;
  resume: boolean;
}

function request(values: Record<string, unknown>, positionals: string[], trainer: Trainer): TrainRequest {
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError('curfew train: name a spec file (see curfew train --help)');
  if (extra !== undefined)
    throw new UsageError(`curfew train: unexpected argument "${extra}" (one spec at a time)`);
  const trialText = (values.trial as string | undefined) ?? '0';
  if (!/^\d+$/.test(trialText)) {
    throw new UsageError(`curfew train: --trial: expected a non-negative integer, got "${trialText}"`);
  }
  const backend = values.backend as string | undefined;
  return {
    file,
    trial: Number(trialText),
    format: oneOf('train', 'format', values.format as string | undefined, TRAIN_FORMATS, 'table'),
    backend:
      backend === undefined ? undefined : oneOf('train', 'backend', backend, trainer.BACKEND_NAMES, 'cpu'),
    artifacts: values.artifacts as string | undefined,
    resume: values['no-resume'] !== true,
  };
}

/** The trial's TrainRun, or a one-line error for what curfew train cannot train. */
function resolveRun(spec: ExperimentSpec, req: TrainRequest, trainer: Trainer): TrainRun {
  const trainable: readonly string[] = trainer.TRAINABLE_MODEL_FAMILIES;
  if (!spec.model) {
    throw new CliError(
      `curfew train: ${req.file}: trainer: curfew train runs the built-in trainer; submit a command trainer's spec with curfew submit`,
    );
  }
  if (spec.model.family !== 'module' && !trainable.includes(spec.model.family)) {
    throw new CliError(
      `curfew train: ${req.file}: model.family: ${spec.model.family} is not trainable yet (trainable: ${trainable.join(', ')})`,
    );
  }
  if (spec.policy.name === 'meta') {
    throw new CliError(
      `curfew train: ${req.file}: policy meta learns from run history, which curfew train has none of; use policy auto (without history it falls back to its threshold rule)`,
    );
  }
  const configs = expandSearch(spec);
  const config = configs[req.trial];
  if (!config) {
    const n = configs.length;
    throw new UsageError(
      `curfew train: --trial ${req.trial}: ${req.file} has ${n} trial${n === 1 ? '' : 's'} (--trial 0 to ${n - 1})`,
    );
  }
  return trainer.resolveTrainRun(spec, config);
}

/** Errors of the trainer name the command, as every other curfew message does. */
function named(err: unknown, fromFlag: boolean): unknown {
  if (isExpectedError(err) && !err.message.startsWith('curfew')) {
    const message = fromFlag ? err.message.replace(/^CURFEW_BACKEND=(\S+):/, '--backend $1:') : err.message;
    err.message = `curfew train: ${message}`;
  }
  return err;
}

export const trainCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('train', args, {
      trial: { type: 'string' },
      format: { type: 'string', short: 'f' },
      backend: { type: 'string' },
      artifacts: { type: 'string' },
      'no-resume': { type: 'boolean' },
    });
    if (values.help) {
      ctx.out(usage);
      return 0;
    }
    // Imported on demand: the trainer loads TF.js, which commands that never train should not pay.
    const trainer = await import('@curfew/trainer');
    const req = request(values, positionals, trainer);
    const loaded = await loadSpecFile(req.file);
    if (!loaded.ok) {
      for (const problem of loaded.problems) ctx.err(formatProblem(req.file, problem));
      return 1;
    }
    const run = resolveRun(withSpecPaths(loaded.spec, req.file), req, trainer);
    const artifacts = req.artifacts === undefined ? ctx.env.artifactsDir : path.resolve(req.artifacts);
    const checkpointDir = path.join(artifacts, ...run.runId.split('/'));
    try {
      const backend = (await trainer.selectBackend(req.backend ?? (await envBackend(ctx.env)))).name;
      const resuming = await prepareRunFolder(checkpointDir, run, req.resume);
      return await trainRun(trainer, { run, req, backend, checkpointDir, resuming }, ctx);
    } catch (err) {
      throw named(err, req.backend !== undefined);
    }
  },
};

interface Prepared {
  run: TrainRun;
  req: TrainRequest;
  backend: BackendName;
  checkpointDir: string;
  /** A checkpoint of this run exists and will be resumed. */
  resuming: boolean;
}

async function trainRun(trainer: Trainer, p: Prepared, ctx: CommandContext): Promise<number> {
  const { run, req, checkpointDir } = p;
  if (req.format === 'table') ctx.out(formatHeader(run, p.backend));
  if (p.resuming)
    ctx.err(`note: resuming ${run.runId} from its checkpoint in ${checkpointDir} (--no-resume starts over)`);
  if (run.policy.name === 'median' || run.policy.name === 'asha') {
    ctx.err(
      `note: ${run.policy.name} compares the runs of an experiment; trained alone, this run has no peers to lose to`,
    );
  }
  const interrupt = watchInterrupts(() =>
    ctx.err('curfew train: interrupted; saving a checkpoint (press Ctrl-C again to quit without one)'),
  );
  let printed = 0;
  const summary = await trainer
    .train(run, {
      backend: p.backend,
      checkpointDir,
      resume: true,
      signal: interrupt.signal,
      onEval(e) {
        if (printed === 0 && req.format === 'table') ctx.out(formatEvalHeader());
        printed += 1;
        ctx.out(formatEval(req.format, e));
      },
    })
    .finally(() => interrupt.dispose());
  ctx.out(formatSummary(req.format, summary, { budgetTokens: run.budgetTokens, checkpointDir }));
  if (summary.status === 'interrupted') {
    ctx.err(
      `curfew train: ${run.runId} interrupted at step ${summary.steps} (${summary.tokensUsed} tokens), checkpoint in ${checkpointDir}; ` +
        `run the same command${req.resume ? '' : ' without --no-resume'} to resume`,
    );
    return interrupt.exitCode() ?? 130;
  }
  if (p.resuming && printed === 0) {
    ctx.err(`note: ${run.runId} had already finished; --no-resume trains it again`);
  }
  return 0;
}
