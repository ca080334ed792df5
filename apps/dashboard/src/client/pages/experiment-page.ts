import { applyExperimentDelta } from '../../shared/apply-delta';
import { formatCount, formatEm, MISSING } from '../../shared/format';
import type { ExperimentDelta, ExperimentView } from '../../shared/views';
import { cancelControl } from '../cancel-control';
import { CurvesChart } from '../charts/curves-chart';
import { trialColor, trialOf } from '../charts/palette';
import { SavingsChart } from '../charts/savings-chart';
import { el, fill, runHref } from '../dom';
import { follow } from '../live';
import { fact, facts, percentOrMissing, section, statusBadge } from '../parts';
import { RUN_COLUMNS } from '../run-columns';
import { SortableTable } from '../sortable-table';

function header(view: ExperimentView): HTMLElement[] {
  const e = view.experiment;
  const budget = e.budgetTokens === null ? '' : ` of ${formatCount(e.budgetTokens)}`;
  const best =
    e.bestRunId === null
      ? MISSING
      : el('a', { href: runHref(e.bestRunId) }, `${formatEm(e.bestEm)} (${e.bestRunId})`);
  const r = e.runs;
  return [
    el('h1', null, e.id),
    el('p', { class: 'subtitle' }, `${e.name} · ${e.taskFamily} · monitor ${e.monitor} (${e.mode})`),
    facts(
      fact('status', statusBadge(e.status)),
      fact(
        'runs',
        `${r.stopped + r.completed} done · ${r.running} running · ${r.queued} queued · ${r.failed} failed`,
      ),
      fact('tokens used', `${formatCount(e.tokensUsed)}${budget}`),
      fact('tokens saved', percentOrMissing(e.tokensSaved)),
      fact('best EM (run)', best),
      fact('policy', e.policy),
      fact('tolerance (EM)', e.tolerance === null ? MISSING : String(e.tolerance)),
    ),
  ];
}

const downsampleNote = (view: ExperimentView) =>
  view.metric.curves.downsampled
    ? ` Drawn from ${formatCount(view.metric.curves.sourcePoints)} evals, each run's lowest and highest point kept per ${formatCount(Math.round((view.metric.curves.x[2] ?? 0) - (view.metric.curves.x[0] ?? 0)))} tokens.`
    : '';

/** A chart's element, placed in `parent` (charts measure their width on creation). */
export function chartBox(parent: HTMLElement, id: string): HTMLElement {
  const box = el('div', { class: 'chart', attrs: { id } });
  parent.append(box);
  return box;
}

/** One experiment: its totals, every run's curves on one chart, savings against EM, its runs. */
export function experimentPage(app: HTMLElement, id: string): void {
  const head = el('div', { class: 'page-head' });
  const cancel = cancelControl(
    'experiment',
    `/api/experiments/${encodeURIComponent(id)}/cancel`,
    () => undefined,
  );
  app.append(head, cancel ?? '');
  const curves = section(app, 'Learning curves');
  const curvesNote = el('p', { class: 'note' });
  curves.append(curvesNote);
  const open = (runId: string) => window.location.assign(runHref(runId));
  const colorOf = (runId: string) => trialColor(trialOf(runId));
  const metric = new CurvesChart(chartBox(curves, 'metric-chart'), { height: 360, colorOf, onPick: open });
  const loss = new CurvesChart(chartBox(curves, 'loss-chart'), { height: 240, colorOf, onPick: open });
  const savingsBody = section(
    app,
    'Tokens saved versus EM',
    'One point per finished run (completed, or stopped by its policy): the share of its budget it did not spend against the EM of the checkpoint it ships.',
  );
  const savings = new SavingsChart(chartBox(savingsBody, 'savings-chart'), {
    height: 280,
    colorOf,
    onPick: open,
  });
  const runsBody = section(
    app,
    'Runs',
    'Outcomes next to what the meta-learner predicted before each run started.',
  );
  const table = new SortableTable(runsBody, RUN_COLUMNS, {
    rowKey: (r) => r.id,
    empty: 'no runs yet (the scheduler has not expanded this experiment)',
  });
  let view: ExperimentView | null = null;
  const draw = (next: ExperimentView) => {
    view = next;
    fill(head, ...header(next));
    curvesNote.textContent = `${next.metric.label} and ${next.loss.label} against training tokens. A filled marker is where a run ended, with why; a hollow one is the latest eval of a run still training. The dashed line is the budget. Click a curve to open its run.${downsampleNote(next)}`;
    metric.set(next.metric);
    loss.set(next.loss);
    savings.set(next.savings);
    table.set(next.runs);
  };
  follow<ExperimentView, ExperimentDelta>(`/api/events/experiments/${encodeURIComponent(id)}`, {
    snapshot: draw,
    delta: (delta) => {
      if (view) draw(applyExperimentDelta(view, delta));
    },
  });
}
