import type { Feed, LiveEvent } from './live-event';

type Send = (event: LiveEvent) => void;

interface Topic {
  feed: Promise<Feed | null>;
  subscribers: Set<Send>;
  /** The next poll, while somebody watches. */
  timer: NodeJS.Timeout | null;
  /** Drops the topic a while after the last subscriber left. */
  linger: NodeJS.Timeout | null;
  /** Refreshes run one at a time (a feed keeps state between them). */
  queue: Promise<unknown>;
  /** Bumped whenever polling stops, so a poll already under way does not start another loop. */
  generation: number;
}

export class TopicNotFoundError extends Error {
  override readonly name = 'TopicNotFoundError';
}

export interface TopicOptions {
  /** How often a watched feed re-reads the database, in milliseconds. */
  pollMs: number;
  /**
   * How long a feed nobody watches is kept, in milliseconds: going back to a page (or a second
   * tab) then costs a refresh of what changed, not a rebuild. @defaultValue 30000
   */
  lingerMs?: number;
  log: (line: string) => void;
}

/**
 * The live feeds pages subscribe to, one per thing watched (the experiments list, one
 * experiment, one run), however many pages watch it: each polls the database every `pollMs`
 * while somebody watches, and is dropped `lingerMs` after the last one leaves.
 */
export class LiveTopics {
  private readonly topics = new Map<string, Topic>();
  private closed = false;

  constructor(private readonly options: TopicOptions) {}

  /**
   * Sends the current snapshot at once, then every change. Returns the unsubscribe; a
   * TopicNotFoundError when `open` finds nothing.
   */
  async subscribe(key: string, open: () => Promise<Feed | null>, send: Send): Promise<() => void> {
    let topic = this.topics.get(key);
    const idle = topic !== undefined && topic.subscribers.size === 0;
    if (!topic) {
      topic = {
        feed: open(),
        subscribers: new Set(),
        timer: null,
        linger: null,
        queue: Promise.resolve(),
        generation: 0,
      };
      this.topics.set(key, topic);
    }
    const current = topic;
    if (current.linger) clearTimeout(current.linger);
    current.linger = null;
    current.subscribers.add(send);
    const unsubscribe = () => this.leave(key, current, send);
    let feed: Feed | null;
    try {
      feed = await current.feed;
      // A feed that lingered unwatched catches up before it answers.
      if (feed && idle) await this.refresh(current, feed);
    } catch (error) {
      unsubscribe();
      this.topics.delete(key);
      throw error;
    }
    if (!feed) {
      unsubscribe();
      this.topics.delete(key);
      throw new TopicNotFoundError(`${key} does not exist`);
    }
    send(feed.snapshot());
    if (!current.timer && !this.closed) this.schedule(key, current, feed, current.generation);
    return unsubscribe;
  }

  private refresh(topic: Topic, feed: Feed): Promise<LiveEvent | null> {
    const next = topic.queue.then(() => feed.refresh());
    topic.queue = next.catch(() => undefined);
    return next;
  }

  private leave(key: string, topic: Topic, send: Send): void {
    topic.subscribers.delete(send);
    if (topic.subscribers.size > 0) return;
    if (topic.timer) clearTimeout(topic.timer);
    topic.timer = null;
    topic.generation++;
    if (this.topics.get(key) !== topic || this.closed) return;
    topic.linger = setTimeout(() => {
      if (topic.subscribers.size === 0 && this.topics.get(key) === topic) this.topics.delete(key);
    }, this.options.lingerMs ?? 30_000);
    topic.linger.unref();
  }

  private schedule(key: string, topic: Topic, feed: Feed, generation: number): void {
    topic.timer = setTimeout(async () => {
      try {
        const event = await this.refresh(topic, feed);
        if (event && generation === topic.generation) for (const send of topic.subscribers) send(event);
      } catch (error) {
        if (!this.closed)
          this.options.log(`curfew dashboard: refreshing ${key} failed: ${(error as Error).message}`);
      }
      if (generation === topic.generation && !this.closed) this.schedule(key, topic, feed, generation);
    }, this.options.pollMs);
  }

  /** Stops every poll (the server is closing). */
  close(): void {
    this.closed = true;
    for (const topic of this.topics.values()) {
      if (topic.timer) clearTimeout(topic.timer);
      if (topic.linger) clearTimeout(topic.linger);
    }
    this.topics.clear();
  }
}
