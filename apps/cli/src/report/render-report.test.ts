import { describe, expect, it } from 'vitest';
import { renderReport } from './render-report';
import { buildReport } from './report-model';
import { evalsOf, experimentRow, storedRun } from './test-data';

const AT = new Date('2025-01-02T03:04:05Z');
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('renderReport', () => {
  it('escapes every string that comes from users or workers', () => {
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const report = buildReport(experimentRow({ name: hostile, policy: hostile, taskFamily: hostile }), [
      storedRun(0, {
        status: 'stopped',
        stopReason: hostile,
        tokensUsed: 300,
        deployedEm: 0.5,
        config: { [hostile]: hostile },
        evals: evalsOf([0.2, 0.5, 0.4]),
      }),
      storedRun(1, { status: 'failed', error: hostile, evals: evalsOf([0.1]) }),
    ]);
    const html = renderReport(report, AT);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>/i);
    expect(count(html, '&lt;script&gt;alert(1)&lt;/script&gt;')).toBeGreaterThanOrEqual(7);
  });

  it('draws one polyline per run with evals, and says when there is nothing to draw', () => {
    const report = buildReport(experimentRow(), [
      storedRun(0, { status: 'completed', tokensUsed: 1000, deployedEm: 0.5, evals: evalsOf([0.3, 0.5]) }),
      storedRun(1, { status: 'running', evals: evalsOf([null]) }),
      storedRun(2),
    ]);
    const html = renderReport(report, AT);
    expect(count(html, '<polyline')).toBe(1);
    expect(count(html, 'class="point"')).toBe(1);
    expect(html).toContain('2 other runs not shown');

    const empty = renderReport(buildReport(experimentRow(), [storedRun(0)]), AT);
    expect(count(empty, '<svg')).toBe(2);
    expect(count(empty, 'no evals yet')).toBe(2);

    const noRuns = renderReport(buildReport(experimentRow({ status: 'pending' }), []), AT);
    expect(noRuns).toContain('no runs yet');
    expect(count(noRuns, 'no evals yet')).toBe(2);
  });

  it('shows a failed run with its error in the stop-reason column', () => {
    const longError = `out of memory: ${'x'.repeat(300)}`;
    const html = renderReport(
      buildReport(experimentRow(), [storedRun(0, { status: 'failed', error: longError })]),
      AT,
    );
    expect(html).toContain(`title="${longError}"`);
    expect(html).toMatch(/<td class="error" title="[^"]*">out of memory: x+…<\/td>/);
  });
});
