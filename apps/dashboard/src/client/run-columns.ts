import { formatCount, formatEm, formatTokensShort, MISSING } from '../shared/format';
import type { PredictionView, RunRow } from '../shared/views';
import { el, runHref } from './dom';
import { percentOrMissing, shortText, statusBadge } from './parts';
import type { Column } from './sortable-table';

const soFar = (r: RunRow) => (r.unfinished ? el('span', { class: 'muted' }, ' so far') : null);

function predictedPeak(p: PredictionView | null) {
  if (!p || p.peakTokens === null) return MISSING;
  const range =
    p.lowTokens !== null && p.highTokens !== null
      ? ` (${formatTokensShort(p.lowTokens)}–${formatTokensShort(p.highTokens)})`
      : '';
  return `${formatTokensShort(p.peakTokens)}${range}`;
}

/** The columns of an experiment's runs table, outcomes next to the meta-learner's predictions. */
export const RUN_COLUMNS: Column<RunRow>[] = [
  {
    label: 'trial',
    numeric: true,
    sortValue: (r) => r.trial,
    cell: (r) => el('a', { href: runHref(r.id), title: r.id }, `t${r.trial}`),
  },
  { label: 'status', sortValue: (r) => r.status, cell: (r) => statusBadge(r.status) },
  {
    label: 'stop reason',
    sortValue: (r) => r.stopReason ?? r.error,
    cell: (r) => (r.stopReason ? r.stopReason : r.status === 'failed' ? shortText(r.error, 60) : MISSING),
  },
  {
    label: 'tokens used',
    numeric: true,
    sortValue: (r) => r.tokensUsed,
    cell: (r) => el('span', null, formatCount(r.tokensUsed), soFar(r)),
  },
  {
    label: 'saved',
    numeric: true,
    title: '1 − tokens used / budget, once the run has ended',
    sortValue: (r) => r.tokensSaved,
    cell: (r) => percentOrMissing(r.tokensSaved),
  },
  {
    label: 'best at',
    numeric: true,
    title: 'tokens of the eval the run ships (its best)',
    sortValue: (r) => r.bestTokens,
    cell: (r) => (r.bestTokens === null ? MISSING : formatTokensShort(r.bestTokens)),
  },
  {
    label: 'deployed EM',
    numeric: true,
    sortValue: (r) => r.deployedEm,
    cell: (r) => el('span', null, formatEm(r.deployedEm), r.deployedEm === null ? null : soFar(r)),
  },
  {
    label: 'predicted peak',
    numeric: true,
    title: "the meta-learner's predicted tokens of the run's best eval (its range)",
    sortValue: (r) => r.prediction?.peakTokens ?? null,
    cell: (r) => predictedPeak(r.prediction),
  },
  {
    label: 'predicted EM',
    numeric: true,
    title: "the meta-learner's predicted final EM",
    sortValue: (r) => r.prediction?.finalEm ?? null,
    cell: (r) => formatEm(r.prediction?.finalEm ?? null),
  },
  { label: 'evals', numeric: true, sortValue: (r) => r.evals, cell: (r) => formatCount(r.evals) },
  {
    label: 'config',
    sortValue: (r) => JSON.stringify(r.config),
    cell: (r) =>
      el('code', { class: 'config', title: JSON.stringify(r.config, null, 1) }, JSON.stringify(r.config)),
  },
];
