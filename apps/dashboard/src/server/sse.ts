import type { Request, Response } from 'express';
import type { Feed, LiveEvent } from '../live/live-event';
import type { LiveTopics } from '../live/live-topics';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * Streams a topic as server-sent events: its snapshot first, then every change, until the
 * browser goes away. Nothing is written before the topic exists, so an unknown one is a 404.
 */
export async function streamTopic(
  req: Request,
  res: Response,
  topics: LiveTopics,
  key: string,
  open: () => Promise<Feed | null>,
): Promise<void> {
  let gone = false;
  req.on('close', () => {
    gone = true;
  });
  const send = (event: LiveEvent) => {
    if (!res.headersSent)
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
    res.write(`event: ${event.event}\ndata: ${event.json}\n\n`);
  };
  let unsubscribe: () => void;
  try {
    unsubscribe = await topics.subscribe(key, open, send);
  } catch (error) {
    if ((error as Error).name !== 'TopicNotFoundError') throw error;
    res.status(404).json({ error: (error as Error).message });
    return;
  }
  if (gone) return unsubscribe();
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
