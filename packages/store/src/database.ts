import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

/** The drizzle database of either driver (node-postgres or PGlite), typed with curfew's schema. */
export type StoreDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;
