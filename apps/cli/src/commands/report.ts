import { writeFile } from 'node:fs/promises';
import type { Store } from '@curfew/store';
import { parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command } from '../command';
import type { ResolvedEnv } from '../env';
import { CliError, UsageError } from '../errors';
import { loadReport } from '../report/load-report';
import { renderReport } from '../report/render-report';
import type { Report } from '../report/report-model';

const usage = `Usage: curfew report EXPERIMENT [--out FILE]

Writes a self-contained HTML report of one experiment (open it in any browser, offline):
its settings and totals (tokens used against the budget, tokens saved, best EM), the
learning curves of its runs (EM against training tokens, where each run stopped and why,
the budget), tokens saved versus deployed EM per run, and a table of the runs. The charts
are the dashboard's (uPlot), inlined with their data: nothing is fetched.
  -o, --out FILE   where to write it (default: EXPERIMENT.html in the current folder)
Example:
  curfew report kv-qa-sweep-3 --out reports/kv-qa-sweep-3.html`;

/** The run history the report reads. One place, so the cluster-aware opener can replace it. */
function openReportStore(env: ResolvedEnv): Promise<Store> {
  return openCliStore(env);
}

async function readReport(env: ResolvedEnv, experimentId: string): Promise<Report> {
  const store = await openReportStore(env);
  try {
    return await loadReport(store.db, experimentId);
  } catch (err) {
    // Name the command, as every other curfew message does; the store's text suggests curfew status.
    if (err instanceof Error && err.name === 'ExperimentNotFoundError')
      err.message = `curfew report: ${err.message}`;
    throw err;
  } finally {
    await store.close();
  }
}

/** Experiment ids are [a-z0-9-]; anything else never reaches a default file name. */
const defaultOutFile = (experimentId: string) => `${experimentId.replace(/[^a-z0-9-]/g, '-')}.html`;

function parse(args: string[]) {
  const { values, positionals } = parseCommandArgs('report', args, { out: { type: 'string', short: 'o' } });
  if (values.help) return null;
  const [experimentId] = positionals;
  if (positionals.length !== 1 || !experimentId?.trim()) {
    throw new UsageError('curfew report: give exactly one experiment id (see curfew report --help)');
  }
  const out = values.out as string | undefined;
  if (out !== undefined && !out.trim()) throw new UsageError('curfew report: --out needs a file name');
  return { experimentId: experimentId.trim(), outFile: out ?? defaultOutFile(experimentId.trim()) };
}

export const reportCommand: Command = {
  usage,
  async run(args, ctx) {
    const parsed = parse(args);
    if (!parsed) {
      ctx.out(usage);
      return 0;
    }
    const report = await readReport(ctx.env, parsed.experimentId);
    const { reportChartAssets } = await import('@curfew/dashboard/report');
    const page = renderReport(report, new Date(), await reportChartAssets());
    try {
      await writeFile(parsed.outFile, page);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new CliError(
        `curfew report: cannot write ${parsed.outFile} (${reason}); check the folder exists and is writable`,
      );
    }
    ctx.out(`wrote ${parsed.outFile} (${report.runs.length} ${report.runs.length === 1 ? 'run' : 'runs'})`);
    return 0;
  },
};
