import { randomBytes } from 'node:crypto';
import {
  checkReadOnlyStatement,
  grantReader,
  mayCreateRoles,
  type QueryRows,
  type ReaderCredentials,
  readOnlyQueryAs,
  type Store,
  setUpReaderRole,
  withReaderLock,
} from '@curfew/store';
import { openCliStore } from '../cluster/connect';
import { chooseDatabase, serverLocation } from '../cluster/database-choice';
import type { ResolvedEnv } from '../env';
import { readReader, saveReader } from './reader-file';

/**
 * Runs the user's SQL read-only on the database of this curfew home. On a PostgreSQL server it
 * runs as curfew's read-only role (created on first use when the configured user may create
 * roles; its password kept in the curfew home), never as the configured user when that one is a
 * superuser; on the embedded database, where PGlite runs everything as a superuser, the statement
 * check and the read-only transaction are the walls.
 */
export async function runUserSql(env: ResolvedEnv, statement: string): Promise<QueryRows> {
  const choice = chooseDatabase(env);
  // Refused before anything is set up, and again where it runs.
  checkReadOnlyStatement(statement);
  const store = await openCliStore(env, choice);
  try {
    if (choice.kind === 'embedded') return await store.readOnlyQuery(statement);
    const location = serverLocation(choice.url);
    const reader = await readerFor(store, env, location, false);
    try {
      return await readOnlyQueryAs(choice.url, reader, statement);
    } catch (error) {
      // The role was dropped, or its password changed elsewhere: set it up again, once.
      if (!reader || (error as Error).name !== 'ReaderLoginError') throw error;
      return await readOnlyQueryAs(choice.url, await readerFor(store, env, location, true), statement);
    }
  } finally {
    await store.close();
  }
}

/**
 * The read-only role's credentials: the saved ones (granted again: migrations may have added
 * tables), or a new password when there are none or `renew`; null when the configured user may
 * not create roles (then the query runs as that user, if it is not privileged). Under the reader
 * lock, so several `curfew sql` of one home at once set the role up once and share its password.
 */
async function readerFor(
  store: Store,
  env: ResolvedEnv,
  location: string,
  renew: boolean,
): Promise<ReaderCredentials | null> {
  if (!(await mayCreateRoles(store.db))) return renew ? null : readReader(env.CURFEW_HOME, location);
  return withReaderLock(store.db, async (tx) => {
    const saved = renew ? null : readReader(env.CURFEW_HOME, location);
    if (saved) {
      await grantReader(tx, saved.user);
      return saved;
    }
    const reader = await setUpReaderRole(tx, randomBytes(18).toString('hex'));
    saveReader(env.CURFEW_HOME, location, reader);
    return reader;
  });
}
