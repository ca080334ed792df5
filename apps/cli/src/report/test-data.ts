import type { ReportCharts } from '@curfew/dashboard/report';
import type { Experiment } from '@curfew/store';
import type { EvalPoint, StoredRun } from './report-model';

/** In-memory rows for the report's unit tests (no database). */
export function experimentRow(fields: Partial<Experiment> = {}): Experiment {
  return {
    id: 'kv-qa-sweep-3',
    name: 'kv-qa-sweep',
    spec: {},
    taskFamily: 'kv-qa',
    policy: 'auto',
    tolerance: 0.005,
    status: 'running',
    priority: 0,
    maxParallel: null,
    tokensUsed: 0,
    budgetTokens: null,
    bestEm: null,
    bestRunId: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    finishedAt: null,
    eventSeq: 0,
    ...fields,
  };
}

/** EM at 100, 200, … tokens. */
export const evalsOf = (ems: (number | null)[]): EvalPoint[] =>
  ems.map((em, i) => ({ step: i + 1, tokens: (i + 1) * 100, em }));

export function storedRun(trial: number, fields: Partial<StoredRun> = {}): StoredRun {
  return {
    id: `kv-qa-sweep-3/${trial}`,
    experimentId: 'kv-qa-sweep-3',
    trial,
    config: { lr: 0.001 },
    status: 'queued',
    budgetTokens: 1000,
    tokensUsed: 0,
    valTokens: 0,
    bestStep: null,
    bestTokens: null,
    deployedEm: null,
    stopReason: null,
    backend: null,
    error: null,
    attempts: 0,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    startedAt: null,
    finishedAt: null,
    endSeq: null,
    cancelRequestedSeq: null,
    evals: [],
    ...fields,
  };
}

/** The chart data a rendered report embeds (what its inlined charts draw). */
export function embeddedCharts(html: string): ReportCharts {
  const match = /<script type="application\/json" id="curfew-report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no embedded chart data in the report');
  return JSON.parse(match[1] as string) as ReportCharts;
}
