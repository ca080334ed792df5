import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  curvesFeatures,
  fitMetaModel,
  loadCurvesAsHistory,
  predictStopMany,
  type StopPrediction,
  specRunFeatures,
  withGroupRanks,
} from '@curfew/meta';
import type { Curve } from '@curfew/policies';
import { expandSearch, formatProblem, loadSpecFile } from '@curfew/spec';
import { describeStore, openStore, type Store } from '@curfew/store';
import { oneOf, parseCommandArgs } from '../args';
import { openCliStore } from '../cluster/connect';
import type { Command, CommandContext } from '../command';
import { CliError, UsageError } from '../errors';
import { formatTable } from '../output/table';
import { loadCurveFiles } from '../replay/load-curves';
import { spreadFileFlags } from './replay';

const FORMATS = ['table', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];

const usage = `Usage: curfew predict SPEC [--format table|jsonl]
       curfew predict --history FILE... --curves FILE... [--format table|jsonl]

Predicts, before anything runs, where each run will peak (tokens of its best eval), an interval
for it, its EM, and the past runs the prediction came from: the SQL function curfew_predict_stop
over the latest meta-model, fitted from finished runs.
  SPEC               each run of the spec's search space, predicted from the history in the
                     store (DATABASE_URL, or the embedded database under $CURFEW_HOME/db)
  --history FILE...  recorded curves (JSON Lines) to learn from, loaded into a temporary
                     embedded store; --curves FILE... the runs to predict (only their features
                     and budgets are read: they are not learned from)
  --format jsonl     one line per run: {"id","predicted_peak_tokens","low","high","predicted_value"}
                     (tokens in the curve's or spec's units; predicted_value: EM of the best eval)`;

function fail(message: string): never {
  throw new UsageError(`curfew predict: ${message}`);
}

async function loadCurves(files: readonly string[], flag: string): Promise<Curve[]> {
  try {
    return await loadCurveFiles(files, flag);
  } catch (err) {
    if (err instanceof Error && err.name === 'CliError')
      err.message = err.message.replace(/^curfew replay:/, 'curfew predict:');
    throw err;
  }
}

/** Fits and turns "not enough history" into one line for the user. */
async function fit(store: Store, what: string): Promise<void> {
  try {
    await fitMetaModel(store.db, { notes: what });
  } catch (err) {
    if (err instanceof Error && err.name === 'MetaFitError')
      throw new CliError(`curfew predict: ${what}: ${err.message}`);
    throw err;
  }
}

const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toPrecision(digits)));

async function predictCurves(
  curveFiles: string[],
  historyFiles: string[],
  format: Format,
  ctx: CommandContext,
) {
  const curves = await loadCurves(curveFiles, '--curves');
  const history = await loadCurves(historyFiles, '--history');
  const dir = await mkdtemp(path.join(tmpdir(), 'curfew-predict-'));
  const store = await openStore({ dataDir: dir });
  try {
    await loadCurvesAsHistory(store.db, history);
    await fit(store, `history from ${historyFiles.join(', ')}`);
    const features = curvesFeatures(curves);
    const predictions = await predictStopMany(
      store.db,
      curves.map((c, i) => ({ id: c.id, features: features[i] ?? {}, budgetTokens: c.budgetTokens })),
    );
    const rows = curves.map((c) => {
      const p = predictions.get(c.id) as StopPrediction;
      return {
        id: c.id,
        predicted_peak_tokens: round(p.peakTokens, 6),
        low: round(p.lowTokens, 6),
        high: round(p.highTokens, 6),
        predicted_value: round(p.peakValue, 4),
        peak_fraction: round(p.peakFraction, 4),
        sources: p.sources
          .slice(0, 3)
          .map((s) => s.run_id)
          .join(' '),
      };
    });
    if (format === 'jsonl') {
      ctx.out(
        rows
          .map(({ id, predicted_peak_tokens, low, high, predicted_value }) =>
            JSON.stringify({ id, predicted_peak_tokens, low, high, predicted_value }),
          )
          .join('\n'),
      );
    } else {
      ctx.out(
        formatTable(
          ['id', 'peak_fraction', 'predicted_peak_tokens', 'low', 'high', 'predicted_value', 'sources'],
          rows,
        ),
      );
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function predictSpec(file: string, format: Format, ctx: CommandContext): Promise<number> {
  const result = await loadSpecFile(file);
  if (!result.ok) {
    for (const problem of result.problems) ctx.err(formatProblem(file, problem));
    return 1;
  }
  const spec = result.spec;
  const runs = expandSearch(spec);
  const raw = spec as unknown as Record<string, unknown>;
  const features = withGroupRanks(runs.map((r) => specRunFeatures(raw, r.params)));
  const budgetTokens = spec.budget?.max_tokens_per_run ?? null;
  const store = await openCliStore(ctx.env);
  try {
    const queries = runs.map((r, i) => ({ id: String(r.trial), features: features[i] ?? {}, budgetTokens }));
    let predictions = await predictStopMany(store.db, queries);
    if (predictions.size === 0) {
      // History may exist without a fitted model yet (no refit since runs finished).
      try {
        await fitMetaModel(store.db, { notes: 'curfew predict' });
        predictions = await predictStopMany(store.db, queries);
      } catch (err) {
        if (!(err instanceof Error && err.name === 'MetaFitError')) throw err;
        ctx.out(
          `no history to predict from: ${describeStore(store)} has no finished runs of at least 2 tasks yet. ` +
            'Run experiments first (curfew submit), or predict from recorded curves with --history FILE... --curves FILE...',
        );
        return 0;
      }
    }
    const rows = runs.map((r) => {
      const p = predictions.get(String(r.trial)) as StopPrediction;
      return {
        trial: r.trial,
        config: r.sampled,
        peak_fraction: round(p.peakFraction, 4),
        predicted_peak_tokens: p.peakTokens === null ? null : Math.round(p.peakTokens),
        low: p.lowTokens === null ? null : Math.round(p.lowTokens),
        high: p.highTokens === null ? null : Math.round(p.highTokens),
        predicted_peak_em: round(p.peakValue, 4),
        predicted_final_em: round(p.finalValue, 4),
        sources: p.sources.slice(0, 3).map((s) => s.run_id),
        meta_model_version: p.metaModelVersion,
      };
    });
    if (format === 'jsonl') {
      ctx.out(rows.map((row) => JSON.stringify(row)).join('\n'));
    } else {
      const first = predictions.values().next().value as StopPrediction;
      ctx.out(
        `${spec.name}: ${runs.length} runs, budget ${budgetTokens ?? "the task family's default"} tokens each; ` +
          `meta-model v${first.metaModelVersion} ` +
          `from ${first.historyRuns} past runs (${describeStore(store)})`,
      );
      ctx.out(
        formatTable(
          [
            'trial',
            'config',
            'peak_fraction',
            'predicted_peak_tokens',
            'low',
            'high',
            'predicted_peak_em',
            'predicted_final_em',
            'sources',
          ],
          rows.map((row) => ({ ...row, sources: row.sources.join(' ') })),
        ),
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

export const predictCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      'predict',
      spreadFileFlags(args, ['--curves', '--history']),
      {
        curves: { type: 'string', multiple: true },
        history: { type: 'string', multiple: true },
        format: { type: 'string', short: 'f' },
      },
    );
    if (values.help) {
      ctx.out(usage);
      return 0;
    }
    const format = oneOf('predict', 'format', values.format as string | undefined, FORMATS, 'table');
    const curveFiles = (values.curves as string[] | undefined) ?? [];
    const historyFiles = (values.history as string[] | undefined) ?? [];
    if (curveFiles.length > 0 || historyFiles.length > 0) {
      if (positionals.length > 0)
        fail(`give either a SPEC or --history/--curves, not both (got "${positionals[0]}")`);
      if (curveFiles.length === 0) fail('--history needs the runs to predict: --curves FILE...');
      if (historyFiles.length === 0) fail('--curves needs past runs to learn from: --history FILE...');
      await predictCurves(curveFiles, historyFiles, format, ctx);
      return 0;
    }
    if (positionals.length !== 1)
      fail('give one experiment spec, or --history FILE... --curves FILE... (see curfew predict --help)');
    return predictSpec(positionals[0] as string, format, ctx);
  },
};
