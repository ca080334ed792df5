import { type Request, type Response, Router } from 'express';
import { cancelTarget } from '../actions/cancel-runs';
import { experimentRows } from '../data/experiment-rows';
import { findExperiment } from '../data/find-experiment';
import { rawEvals } from '../data/raw-evals';
import { ExperimentFeed } from '../live/experiment-feed';
import { WholeViewFeed } from '../live/whole-view-feed';
import { runView } from '../views/run-view';
import type { DashboardContext } from './context';
import { allowsOperator } from './operator-token';
import { experimentParam, runParam } from './route-params';
import { streamTopic } from './sse';

const notFound = (res: Response, what: string) => res.status(404).json({ error: `${what} does not exist` });
const runName = (req: Request) => `run ${String(req.params.experiment)}/${String(req.params.trial)}`;

/** Whole views as JSON: for scripts, and for the bench. */
function viewRoutes(router: Router, { db, gridOptions }: DashboardContext): void {
  router.get('/api/experiments', async (_req, res) => {
    res.json({ experiments: await experimentRows(db) });
  });
  router.get('/api/experiments/:id', async (req, res) => {
    const id = experimentParam(req);
    const feed = id && (await ExperimentFeed.open(db, id, gridOptions));
    if (!feed) return notFound(res, `experiment ${String(req.params.id)}`);
    res.json(feed.view());
  });
  router.get('/api/experiments/:id/evals', async (req, res) => {
    const id = experimentParam(req);
    if (!id || !(await findExperiment(db, id))) return notFound(res, `experiment ${String(req.params.id)}`);
    res.json(await rawEvals(db, id));
  });
  router.get('/api/runs/:experiment/:trial', async (req, res) => {
    const run = runParam(req);
    const view = run && (await runView(db, run.runId));
    if (!view) return notFound(res, runName(req));
    res.json(view);
  });
}

/** The live streams the pages follow. */
function eventRoutes(router: Router, { db, topics, gridOptions }: DashboardContext): void {
  const experiments = () => WholeViewFeed.open(async () => ({ experiments: await experimentRows(db) }));
  router.get('/api/events/experiments', (req, res) =>
    streamTopic(req, res, topics, 'experiments', experiments),
  );
  router.get('/api/events/experiments/:id', async (req, res) => {
    const id = experimentParam(req);
    if (!id) return notFound(res, `experiment ${String(req.params.id)}`);
    await streamTopic(req, res, topics, `experiment:${id}`, () => ExperimentFeed.open(db, id, gridOptions));
  });
  router.get('/api/events/runs/:experiment/:trial', async (req, res) => {
    const run = runParam(req);
    if (!run) return notFound(res, runName(req));
    await streamTopic(req, res, topics, `run:${run.runId}`, () =>
      WholeViewFeed.open(() => runView(db, run.runId)),
    );
  });
}

type Target = { experimentId: string; runId?: string };

/** Cancel: refused (403) without a configured operator token, or without that token. */
function cancelRoutes(router: Router, ctx: DashboardContext): void {
  const cancel = (target: (req: Request) => Target | null) => async (req: Request, res: Response) => {
    if (ctx.token === null)
      return res
        .status(403)
        .json({ error: 'read-only dashboard: set CURFEW_DASHBOARD_TOKEN to allow cancelling' });
    if (!allowsOperator(ctx.token, req.get('authorization')))
      return res.status(403).json({ error: 'wrong or missing operator token' });
    const what = target(req);
    if (!what) return notFound(res, 'that run or experiment');
    const cancelled = await cancelTarget(ctx.db, ctx.runsQueue, what).catch((error: Error) => {
      if (error.name === 'ExperimentNotFoundError' || error.name === 'RunNotFoundError') return null;
      throw error;
    });
    if (cancelled === null)
      return notFound(res, what.runId ? `run ${what.runId}` : `experiment ${what.experimentId}`);
    ctx.log(
      `curfew dashboard: cancelled ${cancelled} run${cancelled === 1 ? '' : 's'} of ${what.runId ?? what.experimentId}`,
    );
    res.json({ cancelled });
  };
  router.post(
    '/api/experiments/:id/cancel',
    cancel((req) => {
      const id = experimentParam(req);
      return id ? { experimentId: id } : null;
    }),
  );
  router.post('/api/runs/:experiment/:trial/cancel', cancel(runParam));
}

/**
 * The JSON the pages read: whole views, the live streams, and cancel, which needs the operator
 * token.
 */
export function apiRoutes(ctx: DashboardContext): Router {
  const router = Router();
  viewRoutes(router, ctx);
  eventRoutes(router, ctx);
  cancelRoutes(router, ctx);
  return router;
}
