import { PolicyStateError } from '../errors';
import { decodeFloat, encodeFloat, stateInteger } from '../option-checks';
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
import { type RungBoard, rungBoard } from './rung-board';

export { leftChance } from './left-chance';

/** Relative slack on token counts, which are products of floats. */
const TOKENS_EPS = 1e-9;

export interface RobustHalvingSettings {
  mode: Mode;
  /** Rung positions as fractions of each run's own budget, increasing, all below 1. */
  rungs: readonly number[];
  /** Share of the runs standing at a rung that go on (1: no run is ever stopped). */
  keepShare: number;
  /** At least this many runs go on at each rung, however few have arrived. @defaultValue 2 */
  minKeep: number;
  /**
   * A peer counts as ahead only once it has left chance by this share of its headroom
   * (`leftChance`): runs that are all still at chance cannot be ranked. @defaultValue 0.05
   */
  chanceShare: number;
}

/**
 * Successive halving made robust for what live experiments look like (few runs arrived at a
 * rung, noisy evals, runs still at chance), as the fallback and the core of `auto` across an
 * experiment:
 * - a run's standing at rung k is its best value so far at its first eval at or past the rung's
 *   fraction of its budget (one noisy dip at the rung does not count against it), and every peer
 *   that has reached the rung's fraction of its own budget stands by the same measure (running,
 *   stopped and finished peers alike);
 * - of the n runs standing at a rung (the run included), the top max(minKeep, ⌊n · keepShare⌋)
 *   go on; only peers that have left chance (`leftChance`) count as ahead;
 * - a run is judged once per rung, at its rung eval (an eval that reaches several rungs at once
 *   is judged at the last of them), against the peers standing there by then. Judging it again
 *   as more runs arrive (as synchronous halving would) saved a few more tokens on the dev curves
 *   at twice the regret for the same savings: the runs that arrive first are let through, and
 *   `keepShare` is what history tunes.
 * Stop reason `halving`.
 */
export class RobustHalvingPolicy implements StoppingPolicy {
  readonly name = 'robust-halving';
  private readonly sign: 1 | -1;
  private seen = 0;
  private best = Number.NEGATIVE_INFINITY;
  /** The run's standing at each rung it has reached (oriented). */
  private standings: number[] = [];
  private readonly board: RungBoard;

  constructor(
    private readonly run: RunInfo,
    private readonly settings: RobustHalvingSettings,
  ) {
    this.sign = settings.mode === 'max' ? 1 : -1;
    this.board = rungBoard(settings);
  }

  decide({ evals, peers }: DecideInput): Decision {
    const budget = this.run.budgetTokens;
    const reached = this.standings.length;
    for (; this.seen < evals.length; this.seen++) {
      const e = evals[this.seen] as EvalPoint;
      const v = this.sign * e.value;
      if (v > this.best) this.best = v;
      const rungs = this.settings.rungs;
      while (
        this.standings.length < rungs.length &&
        e.tokens >= (rungs[this.standings.length] as number) * budget * (1 - TOKENS_EPS)
      ) {
        this.standings.push(this.best);
      }
    }
    const rung = this.standings.length - 1;
    if (rung < 0 || this.settings.keepShare >= 1) return CONTINUE;
    if (this.standings.length === reached) return CONTINUE;
    return this.judge(rung, peers);
  }

  private judge(rung: number, peers: readonly PeerRun[]): Decision {
    const { minKeep, keepShare } = this.settings;
    const fraction = this.settings.rungs[rung] as number;
    const mine = this.standings[rung] as number;
    let n = 1;
    let ahead = 0;
    for (const peer of peers) {
      const at = this.board.at(peer, rung);
      if (at === undefined) continue;
      n++;
      if (at.standing > mine && at.leftChance) ahead++;
    }
    const keep = Math.max(minKeep, Math.floor(n * keepShare + 1e-9));
    if (ahead < keep) return CONTINUE;
    return {
      kind: 'stop',
      reason: 'halving',
      detail:
        `${ahead} of ${n} runs at rung ${rung} (${fraction.toPrecision(3)} of the budget) stand ahead of ` +
        `its best ${this.sign * mine}; the top ${keep} go on`,
    };
  }

  snapshot(): PolicyState {
    return {
      seen: this.seen,
      best: encodeFloat(this.best),
      standings: this.standings.map(encodeFloat),
    };
  }

  restore(state: PolicyState): void {
    this.seen = stateInteger(state, 'seen', this.name);
    this.best = decodeFloat(state.best, `${this.name}: state.best`);
    if (!Array.isArray(state.standings) || state.standings.length > this.settings.rungs.length) {
      throw new PolicyStateError(`${this.name}: state.standings: expected at most one value per rung`);
    }
    this.standings = state.standings.map((v, k) => decodeFloat(v, `${this.name}: state.standings[${k}]`));
  }
}

export function createRobustHalvingPolicy(run: RunInfo, settings: RobustHalvingSettings): StoppingPolicy {
  return new RobustHalvingPolicy(run, settings);
}
