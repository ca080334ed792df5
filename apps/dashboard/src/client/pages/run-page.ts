import { formatCount, formatEm, formatTokensShort, MISSING } from '../../shared/format';
import type { AttemptView, CheckpointView, DecisionView, LogLine, RunView } from '../../shared/views';
import { cancelControl } from '../cancel-control';
import { CurvesChart } from '../charts/curves-chart';
import { lineColor, trialColor } from '../charts/palette';
import { el, experimentHref, fill } from '../dom';
import { follow } from '../live';
import { fact, facts, percentOrMissing, section, shortText, statusBadge } from '../parts';
import { type Column, SortableTable } from '../sortable-table';
import { chartBox } from './experiment-page';

const when = (iso: string | null) => (iso === null ? MISSING : new Date(iso).toLocaleString());
const tokens = (n: number | null) => (n === null ? MISSING : formatCount(n));

function header(view: RunView): HTMLElement[] {
  const r = view.run;
  const p = r.prediction;
  const budget = r.budgetTokens === null ? '' : ` of ${formatCount(r.budgetTokens)}`;
  return [
    el(
      'p',
      { class: 'crumbs' },
      el('a', { href: experimentHref(r.experimentId) }, r.experimentId),
      ` / trial ${r.trial}`,
    ),
    el('h1', null, r.id),
    facts(
      fact('status', statusBadge(r.status)),
      fact('stop reason', r.stopReason ?? (r.status === 'failed' ? shortText(r.error, 80) : MISSING)),
      fact('tokens used', `${formatCount(r.tokensUsed)}${budget}${r.unfinished ? ' so far' : ''}`),
      fact('tokens saved', percentOrMissing(r.tokensSaved)),
      fact('deployed EM', `${formatEm(r.deployedEm)}${r.bestStep === null ? '' : ` (step ${r.bestStep})`}`),
      fact('policy', `${view.experiment.policy} · monitor ${view.experiment.monitor}`),
      fact(
        'predicted',
        p
          ? `peak ${p.peakTokens === null ? MISSING : formatTokensShort(p.peakTokens)}, EM ${formatEm(p.finalEm)}`
          : MISSING,
      ),
      fact('backend', r.backend ?? MISSING),
      fact('attempts', String(r.attempts)),
      fact('config', el('code', null, JSON.stringify(r.config))),
    ),
  ];
}

const DECISIONS: Column<DecisionView>[] = [
  { label: 'step', numeric: true, sortValue: (d) => d.step, cell: (d) => d.step ?? MISSING },
  { label: 'tokens', numeric: true, sortValue: (d) => d.tokens, cell: (d) => tokens(d.tokens) },
  {
    label: 'decision',
    sortValue: (d) => d.kind,
    cell: (d) => el('span', { class: `decision decision-${d.kind}` }, d.kind),
  },
  { label: 'reason', sortValue: (d) => d.reason, cell: (d) => d.reason },
  { label: 'detail', sortValue: (d) => d.detail, cell: (d) => shortText(d.detail) },
];

const ATTEMPTS: Column<AttemptView>[] = [
  { label: 'attempt', numeric: true, sortValue: (a) => a.attempt, cell: (a) => a.attempt },
  { label: 'outcome', sortValue: (a) => a.outcome, cell: (a) => a.outcome },
  { label: 'worker', sortValue: (a) => a.worker, cell: (a) => a.worker ?? MISSING },
  { label: 'backend', sortValue: (a) => a.backend, cell: (a) => a.backend ?? MISSING },
  {
    label: 'resumed from step',
    numeric: true,
    sortValue: (a) => a.resumedFromStep,
    cell: (a) => a.resumedFromStep ?? MISSING,
  },
  { label: 'started', sortValue: (a) => a.startedAt, cell: (a) => when(a.startedAt) },
  { label: 'ended', sortValue: (a) => a.endedAt, cell: (a) => when(a.endedAt) },
  { label: 'error', sortValue: (a) => a.error, cell: (a) => shortText(a.error) },
];

const CHECKPOINTS: Column<CheckpointView>[] = [
  { label: 'step', numeric: true, sortValue: (c) => c.step, cell: (c) => c.step },
  { label: 'tokens', numeric: true, sortValue: (c) => c.tokens, cell: (c) => formatCount(c.tokens) },
  { label: 'best', sortValue: (c) => (c.isBest ? 1 : 0), cell: (c) => (c.isBest ? 'best' : '') },
  { label: 'bytes', numeric: true, sortValue: (c) => c.bytes, cell: (c) => tokens(c.bytes) },
  { label: 'path', sortValue: (c) => c.path, cell: (c) => el('code', null, c.path) },
  { label: 'written', sortValue: (c) => c.createdAt, cell: (c) => when(c.createdAt) },
];

function logLines(lines: readonly LogLine[]): HTMLElement {
  if (lines.length === 0) return el('p', { class: 'empty' }, 'no log lines for this run');
  return el(
    'pre',
    { class: 'logs' },
    ...lines.map((l) =>
      el('span', { class: `log log-${l.level}` }, `${l.at ? `${l.at} ` : ''}${l.level}: ${l.text}\n`),
    ),
  );
}

/** The run's tables: decisions (with a note on where they come from), attempts, checkpoints, logs. */
function runTables(app: HTMLElement) {
  const decisionsNote = el('p', { class: 'note' });
  const decisionsBody = section(app, 'Decisions');
  decisionsBody.before(decisionsNote);
  const decisions = new SortableTable(decisionsBody, DECISIONS, {
    rowKey: (d) => `${d.step}-${d.kind}-${d.reason}`,
    empty: 'no decisions yet',
  });
  const attempts = new SortableTable(section(app, 'Attempts'), ATTEMPTS, {
    rowKey: (a) => String(a.attempt),
    empty: 'not started yet',
  });
  const checkpoints = new SortableTable(section(app, 'Checkpoints'), CHECKPOINTS, {
    rowKey: (c) => String(c.step),
    empty: 'no checkpoints yet',
    descending: true,
    maxRows: 10,
  });
  const logs = section(app, 'Logs');
  return (view: RunView) => {
    decisionsNote.textContent = view.decisionsRecorded
      ? 'Every decision of the run’s policy, as it was logged.'
      : 'Read from what the run left: its learning-rate changes (adjust) and how it ended (stop).';
    decisions.set(view.decisions);
    attempts.set(view.attempts);
    checkpoints.set(view.checkpoints);
    fill(logs, logLines(view.logs));
  };
}

/** One run: its curves, LR, every decision with its reason, attempts, checkpoints and logs. */
export function runPage(app: HTMLElement, runId: string): void {
  const head = el('div', { class: 'page-head' });
  const cancelSlot = el('div');
  app.append(head, cancelSlot);
  const curves = section(
    app,
    'Curves',
    'Against training tokens; a filled marker is where the run ended, hollow while it trains.',
  );
  const runColor = () => trialColor(Number(runId.slice(runId.lastIndexOf('/') + 1)) || 0);
  const metric = new CurvesChart(chartBox(curves, 'metric-chart'), { height: 300, colorOf: runColor });
  const loss = new CurvesChart(chartBox(curves, 'loss-chart'), {
    height: 220,
    colorOf: (_id, i) => lineColor(i),
  });
  const lr = new CurvesChart(chartBox(section(app, 'Learning rate'), 'lr-chart'), {
    height: 180,
    colorOf: runColor,
  });
  const tables = runTables(app);
  const path = runId.split('/').map(encodeURIComponent).join('/');
  let cancelShown = false;
  follow<RunView>(`/api/events/runs/${path}`, {
    snapshot: (view) => {
      fill(head, ...header(view));
      if (view.run.unfinished && !cancelShown) {
        cancelShown = true;
        fill(
          cancelSlot,
          cancelControl('run', `/api/runs/${path}/cancel`, () => undefined),
        );
      }
      if (!view.run.unfinished) fill(cancelSlot);
      metric.set(view.metric);
      loss.set(view.loss);
      lr.set(view.lr);
      tables(view);
    },
  });
}
