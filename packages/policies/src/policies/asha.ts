import {
  checkNumber,
  decodeFloat,
  encodeFloat,
  requireBudget,
  requireMode,
  stateInteger,
} from '../option-checks';
import type { AshaOptions } from '../options';
import { firstEvalAtOrAfter } from '../peer-evals';
import {
  CONTINUE,
  type DecideInput,
  type Decision,
  type EvalPoint,
  type Mode,
  type PeerRun,
  type PolicyState,
  type RunInfo,
  type StoppingPolicy,
} from '../types';

/** Default first rung: 1/η^3 of the budget, so η = 3 gives rungs at 1/27, 1/9 and 1/3. */
const DEFAULT_RUNG_EXPONENT = 3;
/** Relative slack on rung token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

function atLeast(tokens: number, rungTokens: number): boolean {
  return tokens >= rungTokens * (1 - TOKENS_EPS);
}

/**
 * What `auto` adds to Optuna's rule (plain `asha` uses neither):
 * - `keepShares[k]`: the share of the values at rung k that go on, in place of 1/η (the top
 *   `max(floor(n · share), 1)` of n are promoted);
 * - `rerank`: a run promoted at a rung while few peers had reached it is ranked again, at each of
 *   its later evals until the next rung, against every peer that has reached that rung by then,
 *   and stopped once it is no longer among those promoted. Asynchronous halving otherwise lets the
 *   runs that start first through every rung for lack of competition.
 */
export interface AshaExtras {
  keepShares?: readonly number[] | undefined;
  rerank?: boolean | undefined;
}

/**
 * Asynchronous successive halving with Optuna's `SuccessiveHalvingPruner` promotion rule
 * (`min_early_stopping_rate = 0`, `bootstrap_count = 0`).
 *
 * Rungs are budget fractions, so runs with different budgets compete at the same relative point:
 * rung k sits at fraction `r0 · η^k` of each run's own budget, where η = `reduction_factor`,
 * `r0 = min_resource_tokens / budgetTokens` (this run's budget), or `1/η^3` by default. Only rungs
 * below the full budget exist (stopping at the budget saves nothing), at most `max_rungs` of them.
 *
 * When an eval of the run first reaches a rung (its tokens ≥ the rung's), its value at that eval —
 * the current intermediate value, not the best so far, as in Optuna — competes with the value
 * each peer recorded at the same rung: the peer's first visible eval at or beyond the rung's
 * fraction of its budget (running, stopped and finished peers alike, as Optuna uses every trial
 * that reached the rung; NaN values are never recorded, as in Optuna). With n competing values
 * (the peers' and its own) the run is promoted when it is within the top
 * `promotable_idx + 1` values, `promotable_idx = floor(n / η) - 1` raised from -1 to 0 (so the
 * first run alone at a rung is promoted, and while n < η only the best one is). An eval that
 * crosses several rungs at once is judged at each, in order, with the same value. A NaN value is
 * stopped. Stop reason `halving`.
 */
export class AshaPolicy implements StoppingPolicy {
  readonly name = 'asha';
  private readonly mode: Mode;
  private readonly reductionFactor: number;
  /** Rung positions as fractions of a run's budget, increasing, all < 1. */
  private readonly rungFractions: number[];
  private readonly budgetTokens: number;

  private seen = 0;
  /** The next rung this run has not been judged at. */
  private nextRung = 0;
  private last: Decision = CONTINUE;
  /** The run's value at each rung it was promoted at, by rung (re-ranked against later peers). */
  private rungValues: (number | undefined)[] = [];

  constructor(
    options: AshaOptions,
    run: RunInfo,
    private readonly extras: AshaExtras = {},
  ) {
    this.mode = requireMode(options.mode, run);
    this.budgetTokens = requireBudget(run);
    const eta = checkNumber('reduction_factor', options.reduction_factor, { min: 2 });
    this.reductionFactor = eta;
    const r0 =
      options.min_resource_tokens === undefined
        ? eta ** -DEFAULT_RUNG_EXPONENT
        : checkNumber('min_resource_tokens', options.min_resource_tokens, { gt: 0 }) / this.budgetTokens;
    const maxRungs =
      options.max_rungs === undefined
        ? Number.POSITIVE_INFINITY
        : checkNumber('max_rungs', options.max_rungs, { min: 0, integer: true });
    this.rungFractions = [];
    for (let f = r0; f < 1 - TOKENS_EPS && this.rungFractions.length < maxRungs; f *= eta) {
      this.rungFractions.push(f);
    }
  }

  /** Budget fractions of the rungs (for reports and tests). */
  get rungs(): readonly number[] {
    return this.rungFractions;
  }

  decide({ evals, peers }: DecideInput): Decision {
    if (this.seen >= evals.length) return this.last;
    let decision: Decision = CONTINUE;
    for (; this.seen < evals.length; this.seen++) {
      const e = evals[this.seen];
      if (e === undefined) continue;
      const d = this.judge(e, peers);
      if (d.kind === 'stop') decision = d;
    }
    if (decision.kind !== 'stop' && this.extras.rerank) decision = this.rerank(peers);
    this.last = decision;
    return decision;
  }

  snapshot(): PolicyState {
    return {
      seen: this.seen,
      nextRung: this.nextRung,
      last: this.last,
      // By position: a rung without a value (a state from before values were kept) is null.
      rungValues: Array.from(this.rungValues, (v) => (v === undefined ? null : encodeFloat(v))),
    };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.nextRung = stateInteger(state, 'nextRung', this.name);
    this.last = (state.last as Decision | undefined) ?? CONTINUE;
    // A state saved before values were kept has none: those rungs are not ranked again.
    const values: unknown[] = Array.isArray(state.rungValues) ? state.rungValues : [];
    this.rungValues = values
      .slice(0, this.nextRung)
      .map((v, k) => (v === null ? undefined : decodeFloat(v, `asha: state.rungValues[${k}]`)));
  }

  /**
   * Ranks the run's value at the last rung it passed again, against every peer that has reached
   * that rung by now (the latest rung supersedes the earlier ones, where it was already ranked).
   */
  private rerank(peers: readonly PeerRun[]): Decision {
    const rung = this.nextRung - 1;
    const fraction = this.rungFractions[rung];
    const value = this.rungValues[rung];
    if (fraction === undefined || value === undefined) return CONTINUE;
    const competing = this.peerValues(peers, fraction);
    competing.push(value);
    if (this.promotable(value, competing, rung)) return CONTINUE;
    return {
      kind: 'stop',
      reason: 'halving',
      detail:
        `${value} is no longer in the top ${this.keep(competing.length, rung)} of ` +
        `${competing.length} at rung ${rung}, now that more runs have reached it`,
    };
  }

  private judge(e: EvalPoint, peers: readonly PeerRun[]): Decision {
    for (;;) {
      const fraction = this.rungFractions[this.nextRung];
      if (fraction === undefined || !atLeast(e.tokens, fraction * this.budgetTokens)) return CONTINUE;
      const rung = this.nextRung;
      if (Number.isNaN(e.value)) {
        return { kind: 'stop', reason: 'halving', detail: `NaN value at rung ${rung}` };
      }
      this.nextRung++;
      const value = e.value;
      this.rungValues[rung] = value;
      const competing = this.peerValues(peers, fraction);
      competing.push(value);
      if (!this.promotable(value, competing, rung)) {
        return {
          kind: 'stop',
          reason: 'halving',
          detail:
            `${value} is not in the top ${this.keep(competing.length, rung)} of ${competing.length} ` +
            `at rung ${rung} (${fraction.toPrecision(3)} of the budget)`,
        };
      }
    }
  }

  private peerValues(peers: readonly PeerRun[], fraction: number): number[] {
    const values: number[] = [];
    for (const peer of peers) {
      if (!(peer.budgetTokens > 0)) continue;
      const i = firstEvalAtOrAfter(peer.evals, fraction * peer.budgetTokens * (1 - TOKENS_EPS));
      const v = peer.evals[i]?.value;
      if (v !== undefined && !Number.isNaN(v)) values.push(v);
    }
    return values;
  }

  /** How many of n values at a rung are promoted. */
  private keep(n: number, rung: number): number {
    const share = this.extras.keepShares?.[rung];
    if (share === undefined) return Math.max(Math.floor(n / this.reductionFactor), 1);
    // The epsilon keeps n · share exact where it is an integer (0.57 · 100 is 56.99…).
    return Math.max(Math.floor(n * share + 1e-9), 1);
  }

  private promotable(value: number, competing: number[], rung: number): boolean {
    const idx = this.keep(competing.length, rung) - 1;
    competing.sort((a, b) => a - b);
    if (this.mode === 'max') return value >= (competing[competing.length - 1 - idx] ?? value);
    return value <= (competing[idx] ?? value);
  }
}

export function createAshaPolicy(options: AshaOptions, run: RunInfo, extras?: AshaExtras): StoppingPolicy {
  return new AshaPolicy(options, run, extras);
}
