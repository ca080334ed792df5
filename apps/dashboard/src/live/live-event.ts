/** One server-sent event, serialised once for every subscriber. */
export interface LiveEvent {
  /** `snapshot` replaces what the page shows; `delta` changes part of it. */
  event: 'snapshot' | 'delta';
  json: string;
}

export const liveEvent = (event: LiveEvent['event'], data: unknown): LiveEvent => ({
  event,
  json: JSON.stringify(data),
});

/** What a page watches: it answers its current state, and what changed since it last answered. */
export interface Feed {
  /** The whole current state. */
  snapshot(): LiveEvent;
  /** Reads the database again: what changed, or null when nothing did. */
  refresh(): Promise<LiveEvent | null>;
}
