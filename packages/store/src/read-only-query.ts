import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { messageOf, QueryError, ReadOnlyQueryError, sqlStateOf } from './errors.js';
import { PG_TYPES, VALUE_PARSERS } from './value-parsers.js';

export interface QueryRows {
  /** Column names, in order. */
  fields: string[];
  rows: Record<string, unknown>[];
}

/** read_only_sql_transaction, and active_sql_transaction (changing the read-only mode midway). */
const READ_ONLY_CODES = new Set(['25006', '25001']);
const MULTIPLE_COMMANDS = /cannot insert multiple commands into a prepared statement/i;
/**
 * Statements that end, nest or reconfigure the surrounding transaction, and COPY, DO and CALL
 * (COPY can reach the server's files and programs, and DO or a procedure can run COPY). The
 * read-only transaction would contain most of the others anyway; refusing up front is clearer.
 */
const REFUSED_STATEMENT =
  /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|set\s+transaction|set\s+session\s+characteristics|copy|do|call)\b/i;

/**
 * Checks the one statement the user gave. Postgres does the real enforcement: the statement
 * runs alone (extended protocol) in a READ ONLY transaction that is always rolled back.
 */
export function refuseEscapes(statement: string): void {
  const head = stripLeadingComments(statement);
  const match = REFUSED_STATEMENT.exec(head);
  if (match?.[1]) {
    throw new ReadOnlyQueryError(
      `refused: curfew sql is read-only (cannot execute ${match[1].toUpperCase()} in curfew sql)`,
    );
  }
}

function stripLeadingComments(text: string): string {
  let rest = text.trimStart();
  for (;;) {
    if (rest.startsWith('--')) {
      const end = rest.indexOf('\n');
      rest = end === -1 ? '' : rest.slice(end + 1).trimStart();
    } else if (rest.startsWith('/*')) {
      rest = rest.slice(blockCommentEnd(rest)).trimStart();
    } else {
      return rest.replace(/^\(+\s*/, '');
    }
  }
}

/** Where the block comment at the start of `text` ends: Postgres lets block comments nest. */
function blockCommentEnd(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i++;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Maps a driver error to ReadOnlyQueryError (a write was attempted) or QueryError. */
export function toQueryError(error: unknown): Error {
  const message = firstLine(messageOf(error));
  const code = sqlStateOf(error);
  if (code !== undefined && READ_ONLY_CODES.has(code)) {
    return new ReadOnlyQueryError(`refused: curfew sql is read-only (${message})`);
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

/** Runs `statement` read-only on a node-postgres pool; the connection is discarded afterwards. */
export async function readOnlyQueryPostgres(pool: pg.Pool, statement: string): Promise<QueryRows> {
  refuseEscapes(statement);
  const client = await pool.connect();
  try {
    await client.query('SET default_transaction_read_only = on');
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
    // Never hand a connection the user's SQL touched back to the pool (session state, locks).
    client.release(true);
  }
}

/** Runs `statement` read-only on PGlite through `query()` (extended protocol, one statement). */
export async function readOnlyQueryPglite(client: PGlite, statement: string): Promise<QueryRows> {
  refuseEscapes(statement);
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
