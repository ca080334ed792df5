/** Tableau 10: distinct colours that stay readable when printed. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour of a run, from its trial: the same in every chart, legend and table. */
export function trialColor(trial: number): string {
  return PALETTE[((trial % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}

/** A run's trial from its id (EXPERIMENT/TRIAL). */
export function trialOf(runId: string): number {
  return Number(runId.slice(runId.lastIndexOf('/') + 1)) || 0;
}

/** Colours of a run page's lines (validation, training), by position. */
export const lineColor = (index: number) => PALETTE[index % PALETTE.length] as string;
