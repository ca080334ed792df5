import { readRun, runAttempts, runLogsOf } from '@curfew/store';
import { asc, eq } from 'drizzle-orm';
import { parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import { CliError, UsageError } from '../errors';

const USAGE = `Usage: curfew logs RUN [--attempt N]

Prints a run's status (with the reason it failed or stopped) and the output of its program (a
command trainer's lines that are not eval lines, and curfew's notes about it), attempt by
attempt. RUN is EXPERIMENT/TRIAL, e.g. logreg-1/0. Each attempt keeps its last 256 KiB.

Options:
  --attempt N   only attempt N`;

export const logsCommand: Command = {
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('logs', args, { attempt: { type: 'string' } });
    if (values.help) {
      ctx.out(USAGE);
      return 0;
    }
    const [runId] = positionals;
    if (positionals.length !== 1 || !runId || !/^[a-z0-9-]+\/\d+$/.test(runId))
      throw new UsageError(
        'curfew logs: name one run as EXPERIMENT/TRIAL, e.g. logreg-1/0 (see curfew logs --help)',
      );
    const only = values.attempt === undefined ? undefined : Number(values.attempt);
    if (only !== undefined && !(Number.isInteger(only) && only >= 1))
      throw new UsageError(
        `curfew logs: --attempt: expected a positive integer, got ${String(values.attempt)}`,
      );
    const store = await openCliStore(ctx.env);
    try {
      const run = await readRun(store.db, runId).catch((error: Error) => {
        throw error.name === 'RunNotFoundError' ? new CliError(`curfew logs: ${error.message}`) : error;
      });
      const why = run.error ?? run.stopReason;
      ctx.out(
        `run ${runId}: ${run.status}${why ? `: ${why}` : ''} (${run.attempts} attempt${run.attempts === 1 ? '' : 's'})`,
      );
      const attempts = await store.db
        .select()
        .from(runAttempts)
        .where(eq(runAttempts.runId, runId))
        .orderBy(asc(runAttempts.attempt));
      const logs = new Map((await runLogsOf(store.db, runId)).map((log) => [log.attempt, log]));
      for (const attempt of attempts) {
        if (only !== undefined && attempt.attempt !== only) continue;
        const log = logs.get(attempt.attempt);
        const outcome = attempt.outcome ?? 'live';
        ctx.out(
          `\n== attempt ${attempt.attempt} (${attempt.workerId}, ${outcome}${attempt.error ? `: ${attempt.error.split('\n')[0]}` : ''})`,
        );
        if (!log) {
          ctx.out('(no output stored)');
          continue;
        }
        if (log.droppedChars > 0) ctx.out(`(… ${log.droppedChars} earlier characters dropped)`);
        ctx.out(log.text.replace(/\n$/, ''));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
