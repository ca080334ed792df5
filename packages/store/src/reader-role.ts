import { sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { messageOf, ReaderRoleError } from './errors.js';
import { DEFAULT_MIGRATIONS_FOLDER, readMigrationFiles } from './migration-files.js';

/**
 * The role `curfew sql` runs user SQL as on a PostgreSQL server: it can log in and read curfew's
 * tables and views (and run curfew_predict_stop and curfew_predict_outcome), nothing else. NOSUPERUSER, no CREATEROLE,
 * CREATEDB, REPLICATION or BYPASSRLS, member of no role (so none of pg_read_server_files,
 * pg_write_server_files, pg_execute_server_program, pg_signal_backend), every transaction
 * read-only by default and every statement under a timeout.
 */
export interface ReaderCredentials {
  user: string;
  password: string;
}

/** Statements of the reader role time out after this long. */
export const READER_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Key of the transaction-level advisory lock that serialises changes to the reader role and its
 * grants: PostgreSQL fails two GRANTs on one object at once ("tuple concurrently updated"), and
 * two first setups would each set a password.
 */
export const READER_LOCK_KEY = 7_307_021_448;

/**
 * Runs `fn` in one transaction holding the reader lock (a savepoint, and the lock taken again,
 * when `db` is already such a transaction). Several `curfew sql` at once wait for each other.
 */
export function withReaderLock<T>(db: StoreDatabase, fn: (tx: StoreDatabase) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(READER_LOCK_KEY))})`);
    return fn(tx);
  });
}

/** Functions of curfew the reader may call. */
const READER_FUNCTIONS = [
  'curfew_predict_stop(jsonb, double precision, jsonb)',
  'curfew_predict_outcome(jsonb)',
];

/** `curfew_reader_<database>`: roles are per server, grants per database, so one role per database. */
export function readerRoleName(database: string): string {
  const name = `curfew_reader_${database.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  return name.slice(0, 63);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const rows = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** The tables and views curfew's migrations create (in the migrations folder), in order. */
export async function curfewRelations(migrationsFolder = DEFAULT_MIGRATIONS_FOLDER): Promise<string[]> {
  const names = new Set<string>();
  const create =
    /create\s+(?:or\s+replace\s+)?(?:materialized\s+)?(?:table|view)\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?/gi;
  for (const file of await readMigrationFiles(migrationsFolder)) {
    for (const statement of file.statements)
      for (const match of statement.matchAll(create)) names.add((match[1] as string).toLowerCase());
  }
  return [...names];
}

/** May the connected user create and alter roles (superuser or CREATEROLE)? */
export async function mayCreateRoles(db: StoreDatabase): Promise<boolean> {
  const [me] = rows<{ may: boolean }>(
    await db.execute(sql`select rolsuper or rolcreaterole as may from pg_roles where rolname = current_user`),
  );
  return me?.may === true;
}

/**
 * Creates the reader role of the connected database (or resets its password and options) and
 * grants it what it may read. Needs a user that may create roles; a one-line ReaderRoleError else.
 */
export async function setUpReaderRole(
  db: StoreDatabase,
  password: string,
  migrationsFolder?: string,
): Promise<ReaderCredentials> {
  if (!/^[A-Za-z0-9]{16,}$/.test(password))
    throw new ReaderRoleError('reader password: expected 16+ letters or digits');
  return withReaderLock(db, async (tx) => {
    const [{ database } = { database: '' }] = rows<{ database: string }>(
      await tx.execute(sql`select current_database() as database`),
    );
    const user = readerRoleName(database);
    const role = quoteIdent(user);
    const options =
      'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT ' +
      `CONNECTION LIMIT 20 PASSWORD '${password}'`;
    // Looked up under the lock, not tried: a failed CREATE ROLE would abort the transaction.
    const [existing] = rows<{ name: string }>(
      await tx.execute(sql`select rolname as name from pg_roles where rolname = ${user}`),
    );
    try {
      // An existing role: an earlier setup, or another curfew home on this database.
      await tx.execute(sql.raw(`${existing ? 'ALTER' : 'CREATE'} ROLE ${role} ${options}`));
    } catch (error) {
      throw new ReaderRoleError(`cannot create the read-only role ${user}: ${messageOf(causeOf(error))}`);
    }
    // Whatever an earlier hand may have granted it: the reader is member of no role.
    const memberships = rows<{ name: string }>(
      await tx.execute(
        sql`select g.rolname as name from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member where r.rolname = ${user}`,
      ),
    );
    for (const { name } of memberships) await tx.execute(sql.raw(`REVOKE ${quoteIdent(name)} FROM ${role}`));
    await tx.execute(sql.raw(`ALTER ROLE ${role} SET default_transaction_read_only = on`));
    await tx.execute(sql.raw(`ALTER ROLE ${role} SET statement_timeout = ${READER_STATEMENT_TIMEOUT_MS}`));
    await grantReader(tx, user, migrationsFolder);
    return { user, password };
  });
}

/**
 * SELECT on curfew's tables and views and EXECUTE on its functions, to the reader role: again
 * after migrations, which may add tables. Objects a later migration dropped are skipped.
 */
export async function grantReader(db: StoreDatabase, user: string, migrationsFolder?: string): Promise<void> {
  const role = quoteIdent(user);
  const relations = await curfewRelations(migrationsFolder);
  await withReaderLock(db, async (tx) => {
    const [{ database } = { database: '' }] = rows<{ database: string }>(
      await tx.execute(sql`select current_database() as database`),
    );
    // In a savepoint: a user that may not grant CONNECT still grants the rest.
    await tx
      .transaction((savepoint) =>
        savepoint.execute(sql.raw(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${role}`)),
      )
      .catch(() => undefined);
    await tx.execute(sql.raw(`GRANT USAGE ON SCHEMA public TO ${role}`));
    for (const name of relations) {
      const [found] = rows<{ present: boolean }>(
        await tx.execute(sql`select to_regclass(${name}) is not null as present`),
      );
      if (found?.present) await tx.execute(sql.raw(`GRANT SELECT ON ${quoteIdent(name)} TO ${role}`));
    }
    for (const fn of READER_FUNCTIONS) {
      const [found] = rows<{ present: boolean }>(
        await tx.execute(sql`select to_regprocedure(${fn}) is not null as present`),
      );
      if (found?.present) await tx.execute(sql.raw(`GRANT EXECUTE ON FUNCTION ${fn} TO ${role}`));
    }
  });
}

/** Re-grants to the reader role of this database if it exists (after migrations); never throws. */
export async function refreshReaderGrants(db: StoreDatabase, migrationsFolder?: string): Promise<void> {
  try {
    const [found] = rows<{ name: string | null }>(
      await db.execute(
        sql`select rolname as name from pg_roles where rolname = left('curfew_reader_' || regexp_replace(lower(current_database()), '[^a-z0-9_]', '_', 'g'), 63)`,
      ),
    );
    if (found?.name) await grantReader(db, found.name, migrationsFolder);
  } catch {
    // Best effort: `curfew sql` grants again before it reads.
  }
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}

/** Why the connected role may not run user SQL (a superuser, or one that reaches files, programs or other sessions), or null. */
export async function privilegesOfConcern(client: {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
}): Promise<string | null> {
  const { rows: [me] = [] } = await client.query(
    `select r.rolname as name, r.rolsuper as superuser, r.rolcreaterole or r.rolcreatedb or r.rolreplication or r.rolbypassrls as admin,
       array(select g from unnest(array['pg_read_server_files','pg_write_server_files','pg_execute_server_program',
                                        'pg_signal_backend','pg_read_all_settings','pg_write_all_data']) g
             where case when exists (select 1 from pg_roles where rolname = g) then pg_has_role(current_user, g, 'MEMBER') else false end) as roles
     from pg_roles r where r.rolname = current_user`,
  );
  if (!me) return 'it cannot see its own role';
  if (me.superuser === true) return `${String(me.name)} is a superuser`;
  if (me.admin === true)
    return `${String(me.name)} may create roles or databases, replicate or bypass row security`;
  const roles = (me.roles as string[] | null) ?? [];
  if (roles.length > 0) return `${String(me.name)} is a member of ${roles.join(', ')}`;
  return null;
}
