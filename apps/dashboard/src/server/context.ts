import type { StoreDatabase } from '@curfew/store';
import type { Queue } from 'bullmq';
import type { GridOptions } from '../curves/align-curves';
import type { LiveTopics } from '../live/live-topics';

/** What the routes share. */
export interface DashboardContext {
  db: StoreDatabase;
  /** The runs queue, for taking a cancelled run's waiting job off it; null without Redis. */
  runsQueue: Queue | null;
  /** The operator token; null: read-only. */
  token: string | null;
  topics: LiveTopics;
  gridOptions: GridOptions;
  log: (line: string) => void;
}
