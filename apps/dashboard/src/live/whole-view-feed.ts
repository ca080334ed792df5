import { type Feed, type LiveEvent, liveEvent } from './live-event';

/**
 * A feed of a small view (the experiments list, one run): every refresh reads it whole and
 * answers a snapshot when its JSON changed.
 */
export class WholeViewFeed implements Feed {
  private current: LiveEvent;

  private constructor(
    private readonly load: () => Promise<unknown | null>,
    first: unknown,
  ) {
    this.current = liveEvent('snapshot', first);
  }

  /** The feed, loaded; null when `load` finds nothing (no such run). */
  static async open(load: () => Promise<unknown | null>): Promise<WholeViewFeed | null> {
    const first = await load();
    return first === null ? null : new WholeViewFeed(load, first);
  }

  snapshot(): LiveEvent {
    return this.current;
  }

  async refresh(): Promise<LiveEvent | null> {
    const view = await this.load();
    if (view === null) return null;
    const next = liveEvent('snapshot', view);
    if (next.json === this.current.json) return null;
    this.current = next;
    return next;
  }
}
