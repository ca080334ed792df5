import { formatCount, formatEm, formatPercent, MISSING } from '@curfew/dashboard/report';
import { html, type SafeHtml } from './html';
import type { RunRow } from './report-model';

/** Long worker errors are cut in the cell; the whole message stays in the tooltip. */
const ERROR_CHARS = 120;

function stopReasonCell(run: RunRow): SafeHtml {
  if (run.stopReason) return html`<td>${run.stopReason}</td>`;
  if (run.status === 'failed' && run.error) {
    const short = run.error.length > ERROR_CHARS ? `${run.error.slice(0, ERROR_CHARS)}…` : run.error;
    return html`<td class="error" title="${run.error}">${short}</td>`;
  }
  return html`<td>${MISSING}</td>`;
}

function row(run: RunRow): SafeHtml {
  const soFar = run.unfinished ? html` <span class="muted">so far</span>` : '';
  return html`<tr data-run="${run.runId}">
<td class="num">${run.trial} <span class="muted">${run.runId}</span></td>
<td><span class="status status-${run.status}">${run.status}</span></td>
${stopReasonCell(run)}
<td class="num">${formatCount(run.tokensUsed)}${soFar}</td>
<td class="num">${run.budgetTokens === null ? MISSING : formatCount(run.budgetTokens)}</td>
<td class="num">${formatPercent(run.tokensSaved)}</td>
<td class="num">${run.bestStep ?? MISSING}</td>
<td class="num">${formatEm(run.deployedEm)}${soFar}</td>
<td><code>${JSON.stringify(run.config)}</code></td>
</tr>`;
}

/** The runs table: one row per trial, in trial order. */
export function runsTable(runs: readonly RunRow[]): SafeHtml {
  if (runs.length === 0)
    return html`<p class="empty">no runs yet (the scheduler has not expanded this experiment)</p>`;
  return html`<table class="runs">
<thead><tr><th>trial</th><th>status</th><th>stop reason</th><th>tokens used</th><th>budget</th><th>saved</th><th>best step</th><th>deployed EM</th><th>config</th></tr></thead>
<tbody>
${runs.map(row)}
</tbody>
</table>`;
}
