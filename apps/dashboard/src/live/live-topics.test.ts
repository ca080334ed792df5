import { describe, expect, it } from 'vitest';
import { type Feed, type LiveEvent, liveEvent } from './live-event';
import { LiveTopics } from './live-topics';

/** A feed over a counter: each refresh sees the counter, and answers when it moved. */
class CounterFeed implements Feed {
  refreshes = 0;
  private seen = 0;
  constructor(readonly source: { value: number }) {
    this.seen = source.value;
  }
  snapshot(): LiveEvent {
    return liveEvent('snapshot', { value: this.seen });
  }
  async refresh(): Promise<LiveEvent | null> {
    this.refreshes++;
    if (this.source.value === this.seen) return null;
    this.seen = this.source.value;
    return this.snapshot();
  }
}

const until = async (check: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('LiveTopics', () => {
  it('shares one feed among subscribers, sends what changed, and stops polling when nobody watches', async () => {
    const topics = new LiveTopics({ pollMs: 10, lingerMs: 60_000, log: () => undefined });
    const source = { value: 1 };
    let opened = 0;
    let feed: CounterFeed | undefined;
    const open = async () => {
      opened++;
      feed = new CounterFeed(source);
      return feed;
    };
    const a: unknown[] = [];
    const b: unknown[] = [];
    const leaveA = await topics.subscribe('k', open, (e) => a.push(JSON.parse(e.json)));
    const leaveB = await topics.subscribe('k', open, (e) => b.push(JSON.parse(e.json)));
    expect(opened).toBe(1);
    source.value = 2;
    await until(() => a.length === 2 && b.length === 2);
    expect(a).toEqual([{ value: 1 }, { value: 2 }]);
    leaveA();
    leaveB();
    const refreshes = (feed as CounterFeed).refreshes;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((feed as CounterFeed).refreshes).toBeLessThanOrEqual(refreshes + 1);

    // Back within the linger: the same feed, caught up before its snapshot.
    source.value = 3;
    const c: unknown[] = [];
    const leaveC = await topics.subscribe('k', open, (e) => c.push(JSON.parse(e.json)));
    expect(opened).toBe(1);
    expect(c).toEqual([{ value: 3 }]);
    leaveC();
    topics.close();
  });

  it('reports a feed that finds nothing, and opens it again next time', async () => {
    const topics = new LiveTopics({ pollMs: 10, log: () => undefined });
    let opened = 0;
    const open = async () => {
      opened++;
      return null;
    };
    await expect(topics.subscribe('nothing', open, () => undefined)).rejects.toMatchObject({
      name: 'TopicNotFoundError',
    });
    await expect(topics.subscribe('nothing', open, () => undefined)).rejects.toMatchObject({
      name: 'TopicNotFoundError',
    });
    expect(opened).toBe(2);
    topics.close();
  });
});
