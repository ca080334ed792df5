import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { messageOf, QueryError, ReadOnlyQueryError, sqlStateOf } from './errors.js';
import { checkReadOnlyStatement } from './sql-check.js';
import { PG_TYPES, VALUE_PARSERS } from './value-parsers.js';

export interface QueryRows {
  /** Column names, in order. */
  fields: string[];
  rows: Record<string, unknown>[];
}

/** read_only_sql_transaction, and active_sql_transaction (changing the read-only mode midway). */
const READ_ONLY_CODES = new Set(['25006', '25001']);
/** insufficient_privilege: the reader role may not do it. */
const NOT_ALLOWED_CODE = '42501';
const MULTIPLE_COMMANDS = /cannot insert multiple commands into a prepared statement/i;

/** Maps a driver error to ReadOnlyQueryError (a write was attempted) or QueryError. */
export function toQueryError(error: unknown): Error {
  const message = firstLine(messageOf(error));
  const code = sqlStateOf(error);
  if (code !== undefined && READ_ONLY_CODES.has(code)) {
    return new ReadOnlyQueryError(`refused: curfew sql is read-only (${message})`);
  }
  if (code === NOT_ALLOWED_CODE) {
    return new ReadOnlyQueryError(
      `refused: curfew sql is read-only and reads curfew's tables only (${message})`,
    );
  }
  if (MULTIPLE_COMMANDS.test(message)) {
    return new ReadOnlyQueryError(
      `refused: curfew sql is read-only and runs one statement at a time (${message})`,
    );
  }
  return new QueryError(message, code);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/**
 * Rows from array-mode results, keyed by column names made unique (`count`, `count_2`): a
 * repeated name (`select count(*), count(*) filter (…)`, a join's `id`s) must not hide a column.
 */
export function toQueryRows(names: readonly string[], arrays: readonly unknown[][]): QueryRows {
  const seen = new Map<string, number>();
  const fields = names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
  return { fields, rows: arrays.map((row) => Object.fromEntries(fields.map((f, i) => [f, row[i]]))) };
}

export interface ReadOnlyQueryOptions {
  /** Longest a statement may run, in milliseconds. @defaultValue 30000 */
  statementTimeoutMs?: number;
}

/** Runs `statement` read-only on a node-postgres pool; the connection is discarded afterwards. */
export async function readOnlyQueryPostgres(
  pool: pg.Pool,
  statement: string,
  options: ReadOnlyQueryOptions = {},
): Promise<QueryRows> {
  checkReadOnlyStatement(statement);
  const client = await pool.connect();
  try {
    return await queryInReadOnlyTransaction(client, statement, options);
  } finally {
    // Never hand a connection the user's SQL touched back to the pool (session state, locks).
    client.release(true);
  }
}

/**
 * The statement alone (extended protocol: exactly one statement) in a READ ONLY transaction,
 * under a statement timeout, always rolled back. Callers check the statement first.
 */
export async function queryInReadOnlyTransaction(
  client: pg.ClientBase,
  statement: string,
  options: ReadOnlyQueryOptions = {},
): Promise<QueryRows> {
  try {
    await client.query('SET default_transaction_read_only = on');
    await client.query(
      `SET statement_timeout = ${Math.max(1, Math.round(options.statementTimeoutMs ?? 30_000))}`,
    );
    await client.query('BEGIN READ ONLY');
    // queryMode 'extended' sends Parse/Bind/Execute, which accepts exactly one statement.
    const config: pg.QueryArrayConfig & { queryMode: 'extended' } = {
      text: statement,
      values: [],
      queryMode: 'extended',
      types: PG_TYPES,
      rowMode: 'array',
    };
    const result = await client.query(config).catch((error: unknown) => {
      throw toQueryError(error);
    });
    return toQueryRows(
      (result.fields ?? []).map((f) => f.name),
      result.rows,
    );
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Runs `statement` read-only on PGlite through `query()` (extended protocol, one statement). */
export async function readOnlyQueryPglite(client: PGlite, statement: string): Promise<QueryRows> {
  checkReadOnlyStatement(statement);
  return queryInPgliteReadOnlyTransaction(client, statement);
}

/** The statement in a READ ONLY transaction of PGlite, always rolled back. Callers check it first. */
export async function queryInPgliteReadOnlyTransaction(
  client: PGlite,
  statement: string,
): Promise<QueryRows> {
  return client.transaction(async (tx) => {
    try {
      await tx.query('SET TRANSACTION READ ONLY');
      const result = await tx
        .query<unknown[]>(statement, [], { parsers: VALUE_PARSERS, rowMode: 'array' })
        .catch((error: unknown) => {
          throw toQueryError(error);
        });
      return toQueryRows(
        result.fields.map((f) => f.name),
        result.rows,
      );
    } finally {
      await tx.rollback().catch(() => undefined);
    }
  });
}
