import { type ChartAssets, reportChartAssets } from '@curfew/dashboard/report';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from './render-report';
import { buildReport } from './report-model';
import { embeddedCharts, evalsOf, experimentRow, storedRun } from './test-data';

const AT = new Date('2025-01-02T03:04:05Z');
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('renderReport', () => {
  let assets: ChartAssets;
  beforeAll(async () => {
    assets = await reportChartAssets();
  });

  it('escapes every string that comes from users or workers, in the page and in the chart data', () => {
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
    const html = renderReport(report, AT, assets);
    // Our two scripts (the chart data and the chart code) and nothing else.
    expect(count(html, '<script')).toBe(2);
    const page = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
    expect(page).not.toMatch(/<img|onerror=alert\(2\)>|<script>alert/i);
    expect(count(page, '&lt;script&gt;alert(1)&lt;/script&gt;')).toBeGreaterThanOrEqual(7);
    // The embedded data keeps the text as it was, without a single raw '<'.
    const data = embeddedCharts(html);
    expect(data.curves.markers.find((m) => m.trial === 0)?.reason).toBe(hostile);
    expect(html).toContain('\\u003cscript>alert(1)\\u003c/script>');
  });

  it('embeds one curve per run with evals, where each ended, and the finished runs for the scatter', () => {
    const report = buildReport(experimentRow(), [
      storedRun(0, { status: 'completed', tokensUsed: 1000, deployedEm: 0.5, evals: evalsOf([0.3, 0.5]) }),
      storedRun(1, { status: 'running', evals: evalsOf([null]) }),
      storedRun(2),
    ]);
    const html = renderReport(report, AT, assets);
    const data = embeddedCharts(html);
    expect(data.curves.curves.series.map((s) => [s.runId, s.values])).toEqual([
      ['kv-qa-sweep-3/0', [0.3, 0.5]],
    ]);
    expect(data.curves.markers).toMatchObject([
      { trial: 0, tokens: 200, value: 0.5, reason: 'budget', live: false },
    ]);
    expect(data.curves.budgets).toEqual([1000]);
    expect(data.savings).toMatchObject([{ trial: 0, tokensSaved: 0, deployedEm: 0.5 }]);
    expect(html).toContain('2 other runs not shown');

    const empty = embeddedCharts(renderReport(buildReport(experimentRow(), [storedRun(0)]), AT, assets));
    expect(empty.curves.curves.series).toEqual([]);
    expect(empty.savings).toEqual([]);
    expect(renderReport(buildReport(experimentRow({ status: 'pending' }), []), AT, assets)).toContain(
      'no runs yet',
    );
  });

  it('shows a failed run with its error in the stop-reason column', () => {
    const longError = `out of memory: ${'x'.repeat(300)}`;
    const html = renderReport(
      buildReport(experimentRow(), [storedRun(0, { status: 'failed', error: longError })]),
      AT,
      assets,
    );
    expect(html).toContain(`title="${longError}"`);
    expect(html).toMatch(/<td class="error" title="[^"]*">out of memory: x+…<\/td>/);
  });

  it('refuses a chart script that would close its own element', () => {
    const report = buildReport(experimentRow(), []);
    expect(() => renderReport(report, AT, { ...assets, script: 'x("</script>")' })).toThrow(
      /cannot be inlined/,
    );
  });
});
