import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { StoreDatabase } from '@curfew/store';
import type { DecisionService } from '../decision-service.js';
import { BadRequestError } from '../requests/index.js';
import { bearerMatches } from './bearer-token.js';
import { experimentStatus, finishExternalRun, takeRun } from './external-runs.js';

export interface ReportApiOptions {
  service: DecisionService;
  db: StoreDatabase;
  /** The bearer token every request must carry (CURFEW_API_TOKEN). */
  token: string;
  log?: (line: string) => void;
}

/** Largest request body taken, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** HTTP status of an error, by its name (STYLE.md): refusals of the service are conflicts. */
const STATUS_OF: Record<string, number> = {
  BadRequestError: 400,
  StoredSpecError: 400,
  AttemptProtocolError: 409,
  StaleAttemptError: 409,
  RunNotRunningError: 409,
  RunNotFoundError: 404,
  ExperimentNotFoundError: 404,
};

class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (
  db: StoreDatabase,
  service: DecisionService,
  match: string[],
  body: Record<string, unknown>,
) => Promise<unknown>;

const EXPERIMENT = '([a-z0-9-]+)';
const RUN = '([a-z0-9-]+/\\d+)';

/** The API: ask for a run, tell its evals (and get decisions), announce checkpoints, finish. */
const ROUTES: { method: string; path: RegExp; handle: Handler }[] = [
  {
    method: 'GET',
    path: new RegExp(`^/v1/experiments/${EXPERIMENT}$`),
    handle: (db, _s, [id]) => experimentStatus(db, id as string),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/experiments/${EXPERIMENT}/runs$`),
    handle: async (db, service, [id], body) => {
      const worker =
        typeof body.worker === 'string' && body.worker !== '' ? body.worker.slice(0, 150) : 'report-api';
      return { run: await takeRun(db, service, id as string, `api:${worker}`) };
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/runs/${RUN}/evals$`),
    handle: async (_db, service, [runId], body) => {
      const { attempt, step, tokens, metrics, val_tokens: valTokens, lr, val_examples: valExamples } = body;
      const response = await service.report({
        runId,
        attempt,
        step,
        tokens,
        metrics: withNonFinite(metrics),
        valTokens,
        lr,
        valExamples,
        full: true,
      });
      return { decision: response.decision, repeated: response.repeated };
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/runs/${RUN}/checkpoints$`),
    handle: async (_db, service, [runId], body) => {
      const { attempt, step, tokens } = body;
      const path =
        typeof body.path === 'string' && body.path !== '' ? body.path : `external:${runId}@${String(step)}`;
      await service.recordCheckpoint({ runId, attempt, kind: 'latest', step, tokens, path, bytes: 0 });
      return { recorded: true };
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/runs/${RUN}/finish$`),
    handle: async (db, service, [runId], body) => {
      if (typeof body.attempt !== 'number')
        throw new BadRequestError('finish: attempt: expected the attempt number');
      if (typeof body.failed === 'string' && body.failed !== '') {
        const ended = await service.fail({
          runId,
          attempt: body.attempt,
          reason: body.failed.slice(0, 2_000),
          retryable: body.retry === true,
        });
        return { run_id: runId, status: ended.status };
      }
      return finishExternalRun(db, service, runId as string, body.attempt);
    },
  },
];

/** JSON has no NaN or infinities: a metric may send them as the strings "NaN", "Infinity", "-Infinity". */
function withNonFinite(metrics: unknown): unknown {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return metrics;
  const special: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
  return Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [k, typeof v === 'string' && v in special ? special[v] : v]),
  );
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'request body: expected a JSON object');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The report API as a Node request listener: JSON over HTTP, every request authenticated by the
 * bearer token. Each error is one JSON `{ "error": … }` with a status saying whose fault it is.
 */
export function createReportApi(options: ReportApiOptions): RequestListener {
  if (options.token.length < 16)
    throw new BadRequestError(
      'CURFEW_API_TOKEN: expected at least 16 characters (e.g. openssl rand -hex 32)',
    );
  const log = options.log ?? (() => undefined);
  return (req, res) => {
    void (async () => {
      if (!bearerMatches(req.headers.authorization, options.token)) {
        res.setHeader('www-authenticate', 'Bearer');
        return send(res, 401, {
          error: 'missing or wrong bearer token (Authorization: Bearer $CURFEW_API_TOKEN)',
        });
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      const route = ROUTES.find((r) => r.path.test(path));
      if (!route) return send(res, 404, { error: `no such endpoint: ${path}` });
      if (route.method !== req.method) return send(res, 405, { error: `${path} takes ${route.method}` });
      const match = (route.path.exec(path) ?? []).slice(1);
      try {
        const body = req.method === 'POST' ? await readBody(req) : {};
        send(res, 200, await route.handle(options.db, options.service, match, body));
      } catch (error) {
        const { name, message } = error as Error;
        const status = error instanceof HttpError ? error.status : (STATUS_OF[name] ?? 500);
        if (status === 500) log(`report API: ${req.method} ${path}: ${message}`);
        send(res, status, { error: message });
      }
    })();
  };
}
