import pg from 'pg';
import { messageOf, ReaderRoleError, StoreConnectionError, sqlStateOf } from './errors.js';
import { redactUrl } from './open-store.js';
import { type QueryRows, queryInReadOnlyTransaction, type ReadOnlyQueryOptions } from './read-only-query.js';
import { privilegesOfConcern, READER_STATEMENT_TIMEOUT_MS, type ReaderCredentials } from './reader-role.js';
import { checkReadOnlyStatement } from './sql-check.js';

/** The reader's login failed: no such role, or another password. Set the role up again. */
export class ReaderLoginError extends Error {
  override readonly name = 'ReaderLoginError';
}

/** invalid_password, invalid_authorization_specification (no such role). */
const LOGIN_REFUSED = new Set(['28P01', '28000']);

/**
 * Runs user SQL on a PostgreSQL server as `reader` (the URL's own user when null): the statement
 * check, then a connection of its own, refused when its role could reach server files, programs
 * or other sessions, then one statement in a read-only transaction under a timeout.
 */
export async function readOnlyQueryAs(
  databaseUrl: string,
  reader: ReaderCredentials | null,
  statement: string,
  options: ReadOnlyQueryOptions = {},
): Promise<QueryRows> {
  checkReadOnlyStatement(statement);
  const url = new URL(databaseUrl);
  if (reader) {
    url.username = reader.user;
    url.password = reader.password;
  }
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    if (LOGIN_REFUSED.has(sqlStateOf(error) ?? '')) throw new ReaderLoginError(messageOf(error));
    throw new StoreConnectionError(
      `cannot connect to Postgres at ${redactUrl(databaseUrl)} (${messageOf(error)})`,
      {
        cause: error,
      },
    );
  }
  try {
    const concern = await privilegesOfConcern(client);
    if (concern) {
      throw new ReaderRoleError(
        `will not run your SQL as ${concern}: give curfew a user that may create roles (CREATEROLE) so that it sets up its read-only role, or one without these rights`,
      );
    }
    return await queryInReadOnlyTransaction(client, statement, {
      statementTimeoutMs: options.statementTimeoutMs ?? READER_STATEMENT_TIMEOUT_MS,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
