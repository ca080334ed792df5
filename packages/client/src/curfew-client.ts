/**
 * A client of curfew's report API (served by the scheduler when CURFEW_API_TOKEN is set), for
 * trainers outside the cluster: take a run of an experiment whose spec says
 * `trainer: { external: true }`, report its evals and obey the decisions, finish it. Uses only
 * `fetch`, so it runs in Node, Deno, Bun and browsers.
 */

/** The policy's answer to an eval. */
export type Decision =
  | { kind: 'continue' }
  | { kind: 'stop'; reason: string; detail?: string }
  | {
      kind: 'adjust';
      reason: string;
      lrFactor?: number;
      lr?: number;
      weightDecay?: number;
      dropout?: number;
    };

/** One eval: training tokens so far and what was measured (em, loss, any metric; NaN allowed). */
export interface EvalInput {
  step: number;
  tokens: number;
  metrics: Record<string, number | null>;
  valTokens?: number;
  lr?: number;
  valExamples?: number;
}

export interface ClientOptions {
  /** @defaultValue http://127.0.0.1:7878 */
  url?: string;
  token: string;
  /** Who trains, for the run's record. @defaultValue `ts-client` */
  worker?: string;
  fetch?: typeof fetch;
}

/** The API refused a request: `status` is the HTTP status (0: unreachable). */
export class CurfewApiError extends Error {
  override readonly name = 'CurfewApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(status ? `curfew API (${status}): ${message}` : `curfew API: ${message}`);
  }
}

interface TakenRun {
  run_id: string;
  attempt: number;
  params: Record<string, unknown>;
  budget_tokens: number | null;
  eval_every_tokens: number | null;
  monitor: string;
  mode: 'max' | 'min';
  resume: { step: number; tokens: number; path: string } | null;
}

/** JSON has no NaN or infinities: they travel as strings the API reads back. */
const encodeMetric = (v: number | null) => (v === null || Number.isFinite(v) ? v : String(v));

export class CurfewClient {
  private readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    if (!options.token) throw new CurfewApiError(0, 'no token (CURFEW_API_TOKEN)');
    this.url = (options.url ?? 'http://127.0.0.1:7878').replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CurfewApiError(0, `${this.url} is unreachable (${(error as Error).message})`);
    }
    const payload = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) throw new CurfewApiError(response.status, payload.error ?? response.statusText);
    return payload as T;
  }

  /** The experiment's status and its runs. */
  experiment(experimentId: string) {
    return this.request<{
      experiment_id: string;
      status: string;
      runs: { run_id: string; status: string }[];
    }>('GET', `/v1/experiments/${experimentId}`);
  }

  /** The next run of the experiment to train (its attempt has started), or null: none left. */
  async takeRun(experimentId: string): Promise<ExternalRun | null> {
    const { run } = await this.request<{ run: TakenRun | null }>(
      'POST',
      `/v1/experiments/${experimentId}/runs`,
      {
        worker: this.options.worker ?? 'ts-client',
      },
    );
    return run ? new ExternalRun(this, run) : null;
  }
}

/** A run taken from curfew: its parameters, and the calls that report on it. */
export class ExternalRun {
  readonly runId: string;
  readonly attempt: number;
  readonly params: Record<string, unknown>;
  readonly budgetTokens: number | null;
  readonly evalEveryTokens: number | null;
  readonly monitor: string;
  /** The checkpoint announced by an earlier attempt to resume from, or null. */
  readonly resume: TakenRun['resume'];
  decision: Decision = { kind: 'continue' };

  constructor(
    private readonly client: CurfewClient,
    taken: TakenRun,
  ) {
    this.runId = taken.run_id;
    this.attempt = taken.attempt;
    this.params = taken.params;
    this.budgetTokens = taken.budget_tokens;
    this.evalEveryTokens = taken.eval_every_tokens;
    this.monitor = taken.monitor;
    this.resume = taken.resume;
  }

  /** True once curfew answered stop. */
  get shouldStop(): boolean {
    return this.decision.kind === 'stop';
  }

  /** Reports one eval; answers (and remembers) curfew's decision about it. */
  async report(e: EvalInput): Promise<Decision> {
    const metrics = Object.fromEntries(Object.entries(e.metrics).map(([k, v]) => [k, encodeMetric(v)]));
    const body = {
      attempt: this.attempt,
      step: e.step,
      tokens: e.tokens,
      metrics,
      ...(e.valTokens === undefined ? {} : { val_tokens: e.valTokens }),
      ...(e.lr === undefined ? {} : { lr: e.lr }),
      ...(e.valExamples === undefined ? {} : { val_examples: e.valExamples }),
    };
    const { decision } = await this.client.request<{ decision: Decision }>(
      'POST',
      `/v1/runs/${this.runId}/evals`,
      body,
    );
    this.decision = decision;
    return decision;
  }

  /** Announces a checkpoint: a later attempt of this run may resume from it. */
  async checkpoint(step: number, tokens: number, path?: string): Promise<void> {
    await this.client.request('POST', `/v1/runs/${this.runId}/checkpoints`, {
      attempt: this.attempt,
      step,
      tokens,
      path,
    });
  }

  /** Ends the run from what it reported (curfew works out its status and deployed EM). */
  finish() {
    return this.client.request<{
      run_id: string;
      status: string;
      stop_reason: string;
      deployed_em: number | null;
    }>('POST', `/v1/runs/${this.runId}/finish`, { attempt: this.attempt });
  }

  /** Ends this attempt as failed; `retry`: the run goes back for another trainer. */
  fail(reason: string, retry = false) {
    return this.client.request<{ run_id: string; status: string }>('POST', `/v1/runs/${this.runId}/finish`, {
      attempt: this.attempt,
      failed: reason,
      retry,
    });
  }
}
