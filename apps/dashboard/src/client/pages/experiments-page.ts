import { formatCount, formatEm, MISSING } from '../../shared/format';
import type { ExperimentRow, ExperimentsView } from '../../shared/views';
import { el, experimentHref } from '../dom';
import { follow } from '../live';
import { percentOrMissing, section, statusBadge } from '../parts';
import { type Column, SortableTable } from '../sortable-table';

const runsCell = (r: ExperimentRow) => {
  const done = r.runs.stopped + r.runs.completed;
  return el(
    'span',
    {
      title: `${r.runs.stopped} stopped early, ${r.runs.completed} completed, ${r.runs.cancelled} cancelled`,
    },
    `${done} done · ${r.runs.running} running · ${r.runs.queued} queued · ${r.runs.failed} failed`,
  );
};

const COLUMNS: Column<ExperimentRow>[] = [
  {
    label: 'experiment',
    sortValue: (r) => r.id,
    cell: (r) => el('a', { href: experimentHref(r.id) }, r.id),
  },
  { label: 'status', sortValue: (r) => r.status, cell: (r) => statusBadge(r.status) },
  { label: 'runs', sortValue: (r) => r.runs.total, cell: runsCell },
  {
    label: 'tokens used',
    numeric: true,
    sortValue: (r) => r.tokensUsed,
    cell: (r) =>
      r.budgetTokens === null
        ? formatCount(r.tokensUsed)
        : `${formatCount(r.tokensUsed)} / ${formatCount(r.budgetTokens)}`,
  },
  {
    label: 'tokens saved',
    title: '1 − tokens used / budget over the runs that have ended',
    numeric: true,
    sortValue: (r) => r.tokensSaved,
    cell: (r) => percentOrMissing(r.tokensSaved),
  },
  { label: 'best EM', numeric: true, sortValue: (r) => r.bestEm, cell: (r) => formatEm(r.bestEm) },
  { label: 'policy', sortValue: (r) => r.policy, cell: (r) => r.policy },
  {
    label: 'tolerance',
    numeric: true,
    sortValue: (r) => r.tolerance,
    cell: (r) => (r.tolerance === null ? MISSING : String(r.tolerance)),
  },
  { label: 'task', sortValue: (r) => r.taskFamily, cell: (r) => r.taskFamily },
  { label: 'submitted', sortValue: (r) => r.createdAt, cell: (r) => new Date(r.createdAt).toLocaleString() },
];

/** Every experiment, newest first, live. */
export function experimentsPage(app: HTMLElement): void {
  app.append(el('h1', null, 'Experiments'));
  const table = new SortableTable(section(app, 'All experiments'), COLUMNS, {
    rowKey: (r) => r.id,
    sortBy: COLUMNS.length - 1,
    descending: true,
    empty: 'no experiments yet (curfew submit SPEC)',
  });
  follow<ExperimentsView>('/api/events/experiments', { snapshot: (view) => table.set(view.experiments) });
}
