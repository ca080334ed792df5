import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

export const QUEUES_PATH = '/queues';

/**
 * Bull Board for curfew's queues, read-only: jobs mirror runs whose state lives in the database,
 * so retrying or removing one there would leave the two disagreeing (cancel from a run's page).
 * A run's job links to its page.
 */
export function bullBoardRouter(queues: readonly Queue[]): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          readOnlyMode: true,
          ...(queue.name === 'runs'
            ? { externalJobUrl: (job) => ({ displayText: 'run page', href: `/runs/${String(job.id)}` }) }
            : {}),
        }),
    ),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'curfew queues',
        miscLinks: [{ text: 'experiments', url: '/' }],
        hideDocsLink: true,
      },
    },
  });
  return serverAdapter.getRouter() as Router;
}
