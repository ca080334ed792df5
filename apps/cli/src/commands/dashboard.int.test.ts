import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, inkOfColor, openBrowser, pixelsOfColor } from '@curfew/dashboard/testing';
import { createQueue, createRedis, DEFAULT_REDIS_URL, QUEUE_NAMES } from '@curfew/queue';
import { postgresBackend, type TestDatabase } from '@curfew/store/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, runCli, startCli, waitForStdout } from '../test/run-cli';

/** Screenshots of the three pages, for people to look at (test-results/ is not committed). */
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const TOKEN = 'e2e-operator-token-0123456789';
/** Trial 0's colour in every chart. */
const TRIAL_0 = '#4e79a7';

/** Three runs, one at a time, each long enough (150 evals) to be cancelled while it trains. */
const spec = {
  name: 'watch',
  task: { family: 'reverse', params: { length: 4, vocab: 6, train_examples: 160, val_examples: 40 } },
  model: { family: 'mlp', params: { hidden: 24, layers: 1, batch_size: 8 } },
  search: { method: 'grid', space: { lr: { grid: [0.003, 0.01, 0.03] } } },
  budget: { max_tokens_per_run: 150_000 },
  eval: { every_tokens: 1_000 },
  policy: { name: 'none' },
  resources: { max_parallel: 1 },
};

const dashboardUrl = (out: string) => /dashboard at (http:\/\/\S+\/)/.exec(out)?.[1];

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const intData = (page: Page, selector: string, key: string) =>
  page.$eval(
    selector,
    (node, k) => Number((node as unknown as { dataset: Record<string, string> }).dataset[k] ?? 0),
    key,
  );

type Env = Record<string, string | undefined>;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The experiments page, open before anything is submitted, shows the experiment arrive and train. */
async function seeTheExperimentArrive(page: Page, url: string, env: Env, home: string) {
  await page.goto(url);
  await page.getByText('no experiments yet').waitFor({ timeout: 20_000 });
  const file = path.join(home, 'watch.json');
  await writeFile(file, JSON.stringify(spec));
  const submitted = await runCli(['submit', file], { env });
  expect(submitted.stdout).toContain('submitted watch-1: 3 runs');
  const row = page.locator('tr[data-key="watch-1"]');
  await row.getByText(/1 running/).waitFor({ timeout: 60_000 });
  await expect(row.textContent()).resolves.toMatch(/0 done · 1 running · 2 queued · 0 failed/);
  await expect(row.textContent()).resolves.toContain('none');
  // The row redraws as tokens grow; its link stays the same element, so a click on it (a press
  // and a release on one element) is not lost to a redraw in between.
  const link = await row.getByRole('link', { name: 'watch-1' }).elementHandle();
  await waitFor(
    'tokens used to grow',
    async () => !(await row.textContent())?.includes('0 / 450,000'),
    30_000,
  );
  expect(await link?.evaluate((node) => node.isConnected)).toBe(true);
  await shot(page, 'experiments');
  await row.getByRole('link', { name: 'watch-1' }).click();
  await page.waitForURL(/\/experiments\/watch-1$/);
}

/** The experiment page: three runs; trial 0's curve grows, in points and in pixels, without a reload. */
async function seeCurvesDrawLive(page: Page) {
  await page.locator('#metric-chart canvas').waitFor({ timeout: 30_000 });
  const rows = page.locator('table.data tbody tr[data-key]');
  await waitFor('three runs in the table', async () => (await rows.count()) === 3, 30_000);
  const points = await waitFor(
    'three points of trial 0',
    async () => {
      const n = await intData(page, '#metric-chart', 'points');
      return n >= 3 && n;
    },
    60_000,
  );
  const ink = await inkOfColor(page, '#metric-chart', TRIAL_0);
  expect(ink.pixels).toBeGreaterThan(0);
  const events = await intData(page, 'body', 'events');
  const more = async () => (await intData(page, '#metric-chart', 'points')) >= points + 3;
  await waitFor('more points of trial 0', more, 60_000);
  expect(await intData(page, 'body', 'events')).toBeGreaterThan(events);
  // The curve reaches further along the token axis (its pixel count can even fall a little, as
  // a flat stretch at the top of the axis is redrawn).
  expect((await inkOfColor(page, '#metric-chart', TRIAL_0)).right).toBeGreaterThan(ink.right);
  expect(await page.locator('#loss-chart canvas').count()).toBeGreaterThan(0);
  await shot(page, 'experiment');
}

/** A run's page on the read-only dashboard: no cancel button, and the endpoint refuses. */
async function seeNoCancelWithoutToken(page: Page) {
  await page.getByRole('link', { name: 't0', exact: true }).click();
  await page.waitForURL(/\/runs\/watch-1\/0$/);
  await page.locator('[data-fact="status"]').getByText('running').waitFor({ timeout: 20_000 });
  await page.locator('#lr-chart canvas').waitFor();
  expect(await page.locator('button.cancel').count()).toBe(0);
  const refused = await page.evaluate(
    `fetch('/api/runs/watch-1/0/cancel', { method: 'POST', headers: { authorization: 'Bearer ${TOKEN}' } }).then((r) => r.status)`,
  );
  expect(refused).toBe(403);
}

/** Bull Board under /queues, in the same browser: curfew's two queues, read-only. */
async function seeTheQueues(page: Page, url: string) {
  await page.goto(`${url}queues/`);
  await page.getByText('curfew queues').first().waitFor({ timeout: 30_000 });
  await page.getByText('runs', { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.getByText('experiments', { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 30_000 });
  await shot(page, 'queues');
}

/** On a dashboard with the operator's token: a wrong token is refused, the right one cancels the run. */
async function cancelWithToken(page: Page, url: string, env: Env) {
  await page.goto(`${url}runs/watch-1/0`);
  await page.locator('[data-fact="status"]').getByText('running').waitFor({ timeout: 20_000 });
  await page.locator('#metric-chart canvas').waitFor();
  await page.getByLabel('operator token').fill('not-the-token-at-all');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByText('wrong or missing operator token').waitFor({ timeout: 10_000 });
  await page.getByLabel('operator token').fill(TOKEN);
  await shot(page, 'run');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.locator('[data-fact="status"]').getByText('cancelled').waitFor({ timeout: 30_000 });
  expect(await page.locator('button.cancel').count()).toBe(0);
  const runs = JSON.parse(
    (await runCli(['runs', '--experiment', 'watch-1', '--format', 'json'], { env })).stdout,
  );
  expect(runs[0].status).toBe('cancelled');
  // The run page reads the decision log and the attempts the decision service recorded.
  await page.getByText('as it was logged').waitFor({ timeout: 10_000 });
  await page.locator('span.decision-stop').first().waitFor({ timeout: 10_000 });
  expect(await page.locator('span.decision-stop').count()).toBe(1);
  await page.getByText('cancelled', { exact: true }).first().waitFor();
  await shot(page, 'run-cancelled');
}

/** The static report draws the same charts, from a file, offline. */
async function seeTheReportDraw(page: Page, env: Env, home: string) {
  const report = path.join(home, 'watch-1.html');
  expect((await runCli(['report', 'watch-1', '--out', report], { env })).code).toBe(0);
  await page.goto(pathToFileURL(report).href);
  await page.locator('body[data-charts="drawn"]').waitFor({ timeout: 10_000 });
  expect(await page.locator('#learning-curves canvas').count()).toBeGreaterThan(0);
  expect(await pixelsOfColor(page, '#learning-curves', TRIAL_0)).toBeGreaterThan(0);
  expect(await intData(page, '#learning-curves', 'series')).toBeGreaterThanOrEqual(1);
}

describe('the dashboard in a real browser, on a real local cluster', () => {
  let database: TestDatabase;
  let home: string;
  let env: Env;
  let up: RunningCli | undefined;
  let operator: RunningCli | undefined;
  let browser: Browser;

  beforeAll(async () => {
    browser = await openBrowser();
    database = await postgresBackend.create();
    home = await mkdtemp(path.join(tmpdir(), 'curfew-dashboard-'));
    await mkdir(SCREENSHOTS, { recursive: true });
    env = {
      DATABASE_URL: database.databaseUrl,
      CURFEW_HOME: home,
      CURFEW_QUEUE_PREFIX: `{test-${randomUUID()}}`,
      CURFEW_BACKEND: 'cpu',
      CURFEW_DASHBOARD_PORT: '0',
      CURFEW_DASHBOARD_POLL_MS: '200',
      CURFEW_DASHBOARD_TOKEN: '',
    };
  }, 600_000);

  afterAll(async () => {
    for (const cli of [operator, up]) {
      cli?.child.kill('SIGINT');
      await cli?.done;
    }
    await browser?.close();
    const redis = createRedis(DEFAULT_REDIS_URL, { blocking: false });
    for (const name of [QUEUE_NAMES.runs, QUEUE_NAMES.experiments]) {
      const queue = createQueue(name, redis, env.CURFEW_QUEUE_PREFIX);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    redis.disconnect();
    await database?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('shows runs appear and curves draw live, keeps cancel to the operator, and draws the report', async () => {
    const { page } = browser;
    up = startCli(['up', '--workers', '1'], { env });
    await waitForStdout(up, (out) => out.includes('curfew up: running'), 120_000);
    expect(up.stdout()).toMatch(/curfew up: dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(read-only; /);
    const url = dashboardUrl(up.stdout()) as string;
    await seeTheExperimentArrive(page, url, env, home);
    await seeCurvesDrawLive(page);
    await seeNoCancelWithoutToken(page);
    await seeTheQueues(page, url);

    operator = startCli(['dashboard', '--port', '0'], { env: { ...env, CURFEW_DASHBOARD_TOKEN: TOKEN } });
    await waitForStdout(operator, (out) => out.includes('dashboard at'), 60_000);
    expect(operator.stdout()).toMatch(
      /^curfew dashboard: dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(cancelling allowed with the operator token\)/m,
    );
    await cancelWithToken(page, dashboardUrl(operator.stdout()) as string, env);
    await seeTheReportDraw(page, env, home);
  }, 420_000);
});

describe('curfew dashboard, told something wrong', () => {
  it('names a bad flag, a weak token and a busy port in one line each', async () => {
    const badPort = await runCli(['dashboard', '--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim()).toBe('curfew dashboard: --port must be a whole number, got "http"');

    const weak = await runCli(['dashboard'], { env: { CURFEW_DASHBOARD_TOKEN: 'secret' } });
    expect(weak.code).toBe(1);
    expect(weak.stderr.trim()).toBe(
      'curfew dashboard: environment variable CURFEW_DASHBOARD_TOKEN: use at least 16 characters (e.g. openssl rand -hex 16)',
    );

    const database = await postgresBackend.create();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const taken = await runCli(['dashboard', '--port', String(port)], {
        env: { DATABASE_URL: database.databaseUrl },
      });
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe(
        `curfew dashboard: port ${port} is in use; pick another with --port (or CURFEW_DASHBOARD_PORT)`,
      );
    } finally {
      busy.close();
      await database.cleanup();
    }
  }, 60_000);
});
