import type { TrainEval, TrainRun, TrainSummary } from '@curfew/trainer';

export type TrainFormat = 'table' | 'jsonl';
export const TRAIN_FORMATS: readonly TrainFormat[] = ['table', 'jsonl'];

const fixed = (v: number | null, digits: number) => (v === null ? '' : v.toFixed(digits));

const inline = (params: Readonly<Record<string, unknown>>) => {
  const entries = Object.entries(params).map(([k, v]) => `${k}: ${String(v)}`);
  return entries.length === 0 ? '' : ` {${entries.join(', ')}}`;
};

/** What the run will do, in one line: printed before training in table format. */
export function formatHeader(run: TrainRun, backend: string): string {
  const policy =
    run.policy.name === 'auto'
      ? 'auto (no history here: its threshold rule)'
      : run.policy.name === 'none'
        ? 'none'
        : `${run.policy.name} (monitor ${run.policy.monitor})`;
  return (
    `run ${run.runId}: task ${run.task.family}${inline(run.task.params)}, ` +
    `model ${run.model.family}${inline(run.model.params)}, budget ${run.budgetTokens} tokens, ` +
    `eval every ${run.evalEveryTokens} tokens, policy ${policy}, backend ${backend}`
  );
}

/** Fixed widths, so rows line up as they stream in. */
const COLUMNS = [
  ['step', 7],
  ['tokens', 10],
  ['val_ex', 6],
  ['em', 6],
  ['val_loss', 8],
  ['train_loss', 10],
  ['lr', 8],
] as const;

const row = (cells: readonly string[], decision: string) =>
  `${COLUMNS.map(([, width], i) => (cells[i] ?? '').padStart(width)).join('  ')}  ${decision}`;

export function formatEvalHeader(): string {
  return row(
    COLUMNS.map(([name]) => name),
    'decision',
  );
}

export function formatEval(format: TrainFormat, e: TrainEval): string {
  if (format === 'jsonl') {
    return JSON.stringify({
      step: e.step,
      tokens: e.tokens,
      em: e.em,
      loss: e.valLoss,
      lr: e.lr,
      train_loss: e.trainLoss,
      perplexity: e.perplexity,
      val_tokens: e.valTokens,
      val_examples: e.valExamples,
      full: e.full,
      weight_decay: e.weightDecay,
      dropout: e.dropout,
      decision: e.decision,
    });
  }
  const cells = [
    String(e.step),
    String(e.tokens),
    String(e.valExamples),
    fixed(e.em, 4),
    fixed(e.valLoss, 4),
    fixed(e.trainLoss, 4),
    e.lr.toExponential(2),
  ];
  return row(cells, e.decision);
}

/**
 * Fraction of the budget not spent, as the run_summary view defines it (negative when the last batch
 * overshoots); none while the run is unfinished.
 */
const tokensSaved = (summary: TrainSummary, budgetTokens: number) =>
  summary.status === 'interrupted' ? null : 1 - summary.tokensUsed / budgetTokens;

export function formatSummary(
  format: TrainFormat,
  summary: TrainSummary,
  context: { budgetTokens: number; checkpointDir: string },
): string {
  const saved = tokensSaved(summary, context.budgetTokens);
  if (format === 'jsonl') {
    return JSON.stringify({
      summary: {
        run_id: summary.runId,
        status: summary.status,
        stop_reason: summary.stopReason,
        tokens_used: summary.tokensUsed,
        budget_tokens: context.budgetTokens,
        tokens_saved: saved === null ? null : Number(saved.toFixed(6)),
        val_tokens: summary.valTokens,
        steps: summary.steps,
        evals: summary.evals,
        best_step: summary.bestStep,
        best_tokens: summary.bestTokens,
        deployed_em: summary.deployedEm,
        param_count: summary.paramCount,
        train_flops: summary.trainFlops,
        backend: summary.backend,
        checkpoint_dir: context.checkpointDir,
      },
    });
  }
  const best = summary.bestStep === null ? '(none)' : `${summary.bestStep} (${summary.bestTokens} tokens)`;
  const lines: [string, string][] = [
    ['status', summary.status],
    ['stop reason', summary.stopReason ?? '(none)'],
    [
      'tokens used',
      `${summary.tokensUsed} of ${context.budgetTokens} ` +
        (saved === null ? '(so far)' : `(tokens saved ${(saved * 100).toFixed(1)}%)`),
    ],
    ['val tokens', String(summary.valTokens)],
    ['steps', `${summary.steps} (${summary.evals} evals)`],
    ['best step', best],
    ['deployed EM', summary.deployedEm === null ? '(none)' : summary.deployedEm.toFixed(4)],
    ['params', String(summary.paramCount)],
    ['backend', summary.backend],
    ['checkpoints', context.checkpointDir],
  ];
  return [`summary of ${summary.runId}:`, ...lines.map(([k, v]) => `  ${k.padEnd(12)}  ${v}`)].join('\n');
}
