import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { apiRoutes } from './api-routes';
import { bullBoardRouter, QUEUES_PATH } from './bull-board';
import type { DashboardContext } from './context';
import { pageRoutes } from './page-routes';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Bound to this machine only, the dashboard answers only requests addressed to it by a loopback
 * name: a web page elsewhere cannot reach it through a rebinding DNS name.
 */
function loopbackHostOnly(req: Request, res: Response, next: NextFunction): void {
  const host = (req.get('host') ?? '').replace(/:\d+$/, '');
  if (LOOPBACK_NAMES.has(host)) {
    next();
    return;
  }
  res
    .status(403)
    .type('text')
    .send(`curfew dashboard: not served to host "${host}" (bound to this machine only)`);
}

export interface AppOptions {
  /** Bound to a loopback address: check the Host header. */
  loopback: boolean;
  /** curfew's queues, for Bull Board; none: /queues says Redis is not configured. */
  queues: readonly Queue[];
}

/** The dashboard's HTTP application: pages, their JSON and live streams, Bull Board under /queues. */
export function createApp(ctx: DashboardContext, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  if (options.loopback) app.use(loopbackHostOnly);
  app.use((_req, res, next) => {
    res.set('x-content-type-options', 'nosniff').set('referrer-policy', 'same-origin');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(pageRoutes(ctx));
  app.use(apiRoutes(ctx));
  if (options.queues.length > 0) app.use(QUEUES_PATH, bullBoardRouter(options.queues));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  app.use((_req, res) => {
    res.status(404).type('text').send('not found');
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    ctx.log(`curfew dashboard: ${error.message}`);
    if (!res.headersSent) res.status(500).json({ error: 'internal error (the dashboard logged it)' });
    else res.end();
  });
  return app;
}
