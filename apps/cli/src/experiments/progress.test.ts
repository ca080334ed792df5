import type { RunProgress } from '@curfew/store';
import { describe, expect, it } from 'vitest';
import { fitLine } from '../output/live-region';
import { progressLine, shortTokens } from './progress';

const run = (over: Partial<RunProgress> = {}): RunProgress =>
  ({
    id: 'demo-add-auto-12/3',
    status: 'running',
    stopReason: null,
    budgetTokens: 1_000_000,
    tokensUsed: 250_000,
    deployedEm: null,
    lastEval: { step: 40, tokens: 250_000, em: 0.412, lr: 0.003 },
    ...over,
  }) as RunProgress;

describe('progressLine', () => {
  it('as a log line: the run, a bar of its tokens against the budget, EM, lr and status', () => {
    expect(progressLine(run())).toBe(
      'demo-add-auto-12/3       [#####...............] 250000/1000000 tokens  EM 0.412  lr 3.0e-3  running',
    );
  });

  it.each([100, 80, 60])('fits a terminal %i columns wide, with every number', (width) => {
    const line = progressLine(run(), width);
    expect(line.length).toBeLessThanOrEqual(width);
    expect(line).toContain('250k/1.00M  EM 0.412  lr 3.0e-3  running');
  });

  it('cuts the end of the line on a terminal too narrow for it', () => {
    expect(progressLine(run(), 30)).toHaveLength(30);
    expect(progressLine(run(), 30).endsWith('…')).toBe(true);
  });

  it('shows the deployed EM and the stop reason of a run that ended', () => {
    const line = progressLine(run({ status: 'stopped', stopReason: 'plateau', deployedEm: 0.9 }), 80);
    expect(line).toMatch(/EM 0\.900 .* stopped \(plateau\)$/);
  });

  it('cuts the id, never the numbers, when the terminal is narrow', () => {
    const line = progressLine(run({ id: 'a-very-long-experiment-name-of-many-words-7/12' }), 70);
    expect(line.length).toBeLessThanOrEqual(70);
    expect(line).toMatch(/^a-very-long-exp.*… \[/);
    expect(line).toContain('250k/1.00M  EM 0.412');
  });
});

describe('shortTokens', () => {
  it('writes token counts short', () => {
    expect([512, 12_345, 250_000, 1_987_500].map(shortTokens)).toEqual(['512', '12.3k', '250k', '1.99M']);
  });
});

describe('fitLine', () => {
  it('keeps a line that fits and marks the cut of one that does not', () => {
    expect(fitLine('abc', 3)).toBe('abc');
    expect(fitLine('abcdef', 4)).toBe('abc…');
  });
});
