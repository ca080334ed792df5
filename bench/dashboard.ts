// The dashboard's page load and update time on one experiment of 1,000 runs × 100 evals
// (100,000 evals, every run at its own token counts), seeded into a throwaway Postgres
// database, in a real headless Chromium, side by side in one run with the baseline every page
// that ships the evals as they are would pay: fetching and parsing the raw evals JSON. (The
// charts cannot draw the raw evals at all: one token grid for 1,000 runs with 100,000 distinct
// token counts is 100 million cells.) Then the update time: an eval written to a running run
// until the open page has drawn it (server-sent events, the dashboard polling every 250 ms),
// against reloading the page.
//
//   npx tsx bench/dashboard.ts [RUNS] [EVALS]      (default 1000 100; TEST_DATABASE_URL picks the server)
import { randomUUID } from 'node:crypto';
import { startDashboard } from '@curfew/dashboard';
import { openBrowser } from '@curfew/dashboard/testing';
import {
  insertExperimentRuns,
  type NewEval,
  type NewRun,
  openStore,
  type Store,
  upsertEvals,
} from '@curfew/store';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { hostLine, printTable } from './bench-support';

const RUNS = Number(process.argv[2] ?? 1000);
const EVALS = Number(process.argv[3] ?? 100);
const REPEATS = 5;
const POLL_MS = 250;
const EXP = 'bench-1';
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A learning curve that rises to its own plateau, with noise, at tokens that differ per run. */
function evalsOf(runId: string, trial: number): NewEval[] {
  const plateau = 0.5 + (0.45 * ((trial * 7919) % 1000)) / 1000;
  const rate = 0.03 + ((trial * 104_729) % 100) / 2000;
  return Array.from({ length: EVALS }, (_, i) => {
    const noise = (((trial * 31 + i * 17) % 13) - 6) / 600;
    const em = Math.max(0, Math.min(1, plateau * (1 - Math.exp(-rate * (i + 1))) + noise));
    return {
      runId,
      step: (i + 1) * 10,
      tokens: (i + 1) * 1000 + trial * 3,
      em,
      valLoss: 2.2 - 2 * em,
      lr: 0.01,
    };
  });
}

async function seed(store: Store): Promise<void> {
  const runs: NewRun[] = Array.from({ length: RUNS }, (_, trial) => {
    const running = trial % 20 === 0;
    return {
      id: `${EXP}/${trial}`,
      experimentId: EXP,
      trial,
      config: { lr: 0.001 * (1 + (trial % 10)), batch_size: 32 },
      status: running ? 'running' : trial % 4 === 0 ? 'completed' : 'stopped',
      budgetTokens: EVALS * 1000 + RUNS * 3,
      tokensUsed: EVALS * 1000 + trial * 3,
      deployedEm: running ? null : 0.5,
      stopReason: running ? null : trial % 4 === 0 ? null : 'plateau',
    };
  });
  await insertExperimentRuns(
    store.db,
    {
      id: EXP,
      name: 'bench',
      spec: { name: 'bench', policy: { name: 'auto' } },
      taskFamily: 'kv-qa',
      policy: 'auto',
      tolerance: 0.005,
      status: 'running',
    },
    runs,
  );
  const rows = runs.flatMap((r) => evalsOf(r.id, r.trial));
  await upsertEvals(store.db, rows, { batchSize: 2000 });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => x.toFixed(0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

// Code that runs in the page is given as text: this workspace's types have no DOM.
const bodyNumber = async (page: Page, key: string) =>
  Number(await page.evaluate(`document.body.dataset.${key}`));
/** The page's <body> data, seen through globalThis (a function run in the page, so the CSP allows it). */
type PageGlobal = { document: { body: { dataset: Record<string, string | undefined> } } };
const eventsAbove = (page: Page, n: number) =>
  page.waitForFunction(
    (above) => Number((globalThis as unknown as PageGlobal).document.body.dataset.events ?? 0) > above,
    n,
    { timeout: 120_000, polling: 'raf' },
  );

interface Load {
  /** Navigation started → the first live event applied and drawn. */
  totalMs: number;
  /** Its JSON.parse, charts and table. */
  applyMs: number;
  /** Page start → the snapshot arrived. */
  receivedMs: number;
  /** Page start → HTML and the script done (DOMContentLoaded). */
  scriptMs: number;
}

/** Navigates to `url` and waits until the page has applied and drawn its first live event. */
async function load(page: Page, url: string): Promise<Load> {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await eventsAbove(page, 0);
  const totalMs = performance.now() - started;
  return {
    totalMs,
    applyMs: await bodyNumber(page, 'applyMs'),
    receivedMs: await bodyNumber(page, 'receivedMs'),
    scriptMs: Number(
      await page.evaluate(`performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd`),
    ),
  };
}

/** Fetches `path` in the page and parses it, as a page would: time and size. */
async function fetchJson(page: Page, path: string): Promise<{ ms: number; bytes: number }> {
  return page.evaluate(`(async () => {
    const started = performance.now();
    const text = await (await fetch(${JSON.stringify(path)})).text();
    JSON.parse(text);
    return { ms: performance.now() - started, bytes: text.length };
  })()`);
}

const medianOf = <T>(items: readonly T[], key: (item: T) => number) => median(items.map(key));
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

interface Measures {
  cold: Load[];
  warm: Load[];
  view: { ms: number; bytes: number }[];
  raw: { ms: number; bytes: number }[];
  updates: number[];
  updateApplies: number[];
  points: unknown;
}

async function measure(page: Page, store: Store, coldUrl: string, warmUrl: string): Promise<Measures> {
  const m: Measures = { cold: [], warm: [], view: [], raw: [], updates: [], updateApplies: [], points: 0 };
  await load(page, coldUrl); // the bundle is built once per server
  await load(page, warmUrl);
  for (let i = 0; i < REPEATS; i++) {
    m.cold.push(await load(page, coldUrl));
    m.view.push(await fetchJson(page, `/api/experiments/${EXP}`));
    m.raw.push(await fetchJson(page, `/api/experiments/${EXP}/evals`));
    m.warm.push(await load(page, warmUrl));
  }
  m.points = await page.evaluate(`document.getElementById('metric-chart').dataset.points`);
  // Updates: a running run writes its next eval; the open page draws it.
  for (let i = 0; i < REPEATS * 2; i++) {
    const before = await bodyNumber(page, 'events');
    const written = performance.now();
    const next = { runId: `${EXP}/0`, step: (EVALS + 1 + i) * 10, tokens: EVALS * 1000 + 1 + i, em: 0.9 };
    await upsertEvals(store.db, [next]);
    await eventsAbove(page, before);
    m.updates.push(performance.now() - written);
    m.updateApplies.push(await bodyNumber(page, 'applyMs'));
  }
  return m;
}

function tableRows(m: Measures): string[][] {
  const warm = medianOf(m.warm, (l) => l.totalMs);
  const viewBytes = kb(medianOf(m.view, (v) => v.bytes));
  const warmPart = (key: 'scriptMs' | 'receivedMs' | 'applyMs') => ms(medianOf(m.warm, (l) => l[key]));
  return [
    [
      'page load, cold (dashboard)',
      ms(medianOf(m.cold, (l) => l.totalMs)),
      viewBytes,
      `navigation → charts and table drawn; builds the feed; ${m.points} points`,
    ],
    ['page load, warm (dashboard)', ms(warm), viewBytes, 'the feed lingered (a second tab, going back)'],
    ['  HTML and script loaded', warmPart('scriptMs'), '', 'from the page start'],
    ['  snapshot arrived', warmPart('receivedMs'), '', 'the server-sent event, from the page start'],
    ['  applying + drawing it', warmPart('applyMs'), '', 'JSON.parse, uPlot, the 1,000-row table'],
    [
      'view JSON fetch + parse',
      ms(medianOf(m.view, (v) => v.ms)),
      viewBytes,
      '/api/experiments/ID (downsampled, both charts)',
    ],
    [
      'baseline: raw evals fetch + parse',
      ms(medianOf(m.raw, (r) => r.ms)),
      kb(medianOf(m.raw, (r) => r.bytes)),
      'shipping the evals, before drawing anything',
    ],
    [
      'update: eval written → drawn',
      ms(median(m.updates)),
      '',
      `SSE delta; includes up to ${POLL_MS} ms of polling`,
    ],
    ['  of which applying + drawing', ms(median(m.updateApplies)), '', ''],
    ['baseline: reload the page (warm)', ms(warm), viewBytes, ''],
  ];
}

function report(m: Measures): void {
  console.log(
    `\n${RUNS} runs × ${EVALS} evals in one experiment; medians of ${REPEATS} loads and ${REPEATS * 2} updates\n`,
  );
  printTable(['', 'ms', 'payload', 'note'], tableRows(m));
  const viewBytes = medianOf(m.view, (v) => v.bytes);
  const rawBytes = medianOf(m.raw, (r) => r.bytes);
  const cold = medianOf(m.cold, (l) => l.totalMs);
  const warm = medianOf(m.warm, (l) => l.totalMs);
  console.log(
    `\nraw evals / downsampled view: ${ratio(rawBytes, viewBytes)} the bytes, ` +
      `${ratio(
        medianOf(m.raw, (r) => r.ms),
        medianOf(m.view, (v) => v.ms),
      )} the fetch time; ` +
      `cold / warm load: ${ratio(cold, warm)}; reload / live update: ${ratio(warm, median(m.updates))} the time`,
  );
}

async function main(): Promise<void> {
  const database = `curfew_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const store = await openStore({ databaseUrl: url.toString() });
  const browser = await openBrowser();
  const start = (lingerMs: number) =>
    startDashboard({
      db: store.db,
      redis: null,
      port: 0,
      token: null,
      pollMs: POLL_MS,
      lingerMs,
      log: console.log,
    });
  try {
    const seeding = performance.now();
    await seed(store);
    console.log(`seeded ${RUNS} runs × ${EVALS} evals in ${ms(performance.now() - seeding)} ms`);
    console.log(hostLine());
    // Cold: every load builds the experiment's feed (nobody else watches it); warm: it lingers.
    const cold = await start(0);
    const warm = await start(60_000);
    try {
      report(
        await measure(browser.page, store, `${cold.url}experiments/${EXP}`, `${warm.url}experiments/${EXP}`),
      );
    } finally {
      await cold.close();
      await warm.close();
    }
  } finally {
    await browser.close();
    await store.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

await main();
