import type { Feed, LiveEvent } from './live-event';

type Send = (event: LiveEvent) => void;

interface Topic {
  feed: Promise<Feed | null>;
  subscribers: Set<Send>;
  timer: NodeJS.Timeout | null;
}

export class TopicNotFoundError extends Error {
  override readonly name = 'TopicNotFoundError';
}

/**
 * The live feeds pages subscribe to, one per thing watched (the experiments list, one
 * experiment, one run), however many pages watch it: each polls the database every `pollMs`
 * while somebody watches, and is dropped when the last one leaves.
 */
export class LiveTopics {
  private readonly topics = new Map<string, Topic>();
  private closed = false;

  constructor(
    private readonly pollMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Sends the current snapshot at once, then every change. Returns the unsubscribe; a
   * TopicNotFoundError when `open` finds nothing.
   */
  async subscribe(key: string, open: () => Promise<Feed | null>, send: Send): Promise<() => void> {
    let topic = this.topics.get(key);
    if (!topic) {
      topic = { feed: open(), subscribers: new Set(), timer: null };
      this.topics.set(key, topic);
    }
    const current = topic;
    current.subscribers.add(send);
    const unsubscribe = () => this.leave(key, current, send);
    let feed: Feed | null;
    try {
      feed = await current.feed;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    if (!feed) {
      unsubscribe();
      throw new TopicNotFoundError(`${key} does not exist`);
    }
    send(feed.snapshot());
    if (!current.timer && !this.closed) this.schedule(key, current, feed);
    return unsubscribe;
  }

  private leave(key: string, topic: Topic, send: Send): void {
    topic.subscribers.delete(send);
    if (topic.subscribers.size > 0) return;
    if (topic.timer) clearTimeout(topic.timer);
    topic.timer = null;
    if (this.topics.get(key) === topic) this.topics.delete(key);
  }

  private schedule(key: string, topic: Topic, feed: Feed): void {
    topic.timer = setTimeout(async () => {
      try {
        const event = await feed.refresh();
        if (event) for (const send of topic.subscribers) send(event);
      } catch (error) {
        if (!this.closed) this.log(`curfew dashboard: refreshing ${key} failed: ${(error as Error).message}`);
      }
      if (topic.subscribers.size > 0 && !this.closed && this.topics.get(key) === topic)
        this.schedule(key, topic, feed);
      else topic.timer = null;
    }, this.pollMs);
  }

  /** Stops every poll (the server is closing). */
  close(): void {
    this.closed = true;
    for (const topic of this.topics.values()) if (topic.timer) clearTimeout(topic.timer);
    this.topics.clear();
  }
}
