import { type Response, Router } from 'express';
import { findExperiment } from '../data/find-experiment';
import { runRow } from '../data/run-rows';
import { bundleScript, styleSheet } from './assets';
import type { DashboardContext } from './context';
import { notFoundPage, pageShell, type ShellOptions } from './page-shell';
import { experimentParam, runParam } from './route-params';

/** Our pages load nothing from elsewhere and run no inline script. */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function sendPage(res: Response, options: Omit<ShellOptions, 'canCancel'> & { canCancel: boolean }): void {
  res.set('content-security-policy', PAGE_POLICY).type('html').send(pageShell(options));
}

const notFound = (res: Response, what: string) => res.status(404).type('html').send(notFoundPage(what));

/** The three pages and the browser code they load. */
export function pageRoutes(ctx: DashboardContext): Router {
  const router = Router();
  const canCancel = ctx.token !== null;
  router.get('/assets/dashboard.js', async (_req, res) => {
    res
      .type('js')
      .set('cache-control', 'no-cache')
      .send(await bundleScript('dashboard'));
  });
  router.get('/assets/dashboard.css', async (_req, res) => {
    res
      .type('css')
      .set('cache-control', 'no-cache')
      .send(await styleSheet());
  });
  router.get('/', (_req, res) => sendPage(res, { page: 'experiments', title: 'experiments', canCancel }));
  router.get('/experiments/:id', async (req, res) => {
    const id = experimentParam(req);
    const found = id && (await findExperiment(ctx.db, id));
    if (!id || !found) return notFound(res, `experiment ${String(req.params.id)}`);
    sendPage(res, { page: 'experiment', id, title: id, canCancel });
  });
  router.get('/runs/:experiment/:trial', async (req, res) => {
    const run = runParam(req);
    const found = run && (await runRow(ctx.db, run.runId));
    if (!run || !found)
      return notFound(res, `run ${String(req.params.experiment)}/${String(req.params.trial)}`);
    sendPage(res, { page: 'run', id: run.runId, title: run.runId, canCancel });
  });
  return router;
}
