import { sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { MigrationError, messageOf } from './errors.js';
import { DEFAULT_MIGRATIONS_FOLDER, readMigrationFiles } from './migration-files.js';
import { CREATE_MIGRATIONS_TABLE, curfewMigrations } from './migrations-table.js';

/** Key of the transaction-level advisory lock that serialises concurrent `migrate()` calls. */
export const MIGRATION_LOCK_KEY = 7_307_021_447;

export interface MigrateOptions {
  /**
   * Folder holding the SQL files and `meta/_journal.json`.
   * @defaultValue the repo's `migrations/` folder
   */
  migrationsFolder?: string;
}

export interface MigrateResult {
  /** Tags applied by this call, in order; empty when the database was up to date. */
  applied: string[];
}

/**
 * Applies the pending migrations of the journal, in order, in one transaction holding an
 * advisory lock: safe when several processes start at once, and a no-op when up to date.
 * Throws a `MigrationError` if an applied migration's file has changed since.
 */
export async function migrate(db: StoreDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = await readMigrationFiles(options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER);
  try {
    return await applyPending(db, files);
  } catch (error) {
    if (error instanceof Error && error.name === 'MigrationError') throw error;
    throw new MigrationError(`cannot migrate the database: ${messageOf(causeOf(error))}`);
  }
}

async function applyPending(
  db: StoreDatabase,
  files: Awaited<ReturnType<typeof readMigrationFiles>>,
): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(MIGRATION_LOCK_KEY))})`);
    // Created under the lock (concurrent CREATE TABLE IF NOT EXISTS can collide otherwise), and
    // only when missing: a user who may only read (curfew sql) has no right to create tables.
    const exists = await tx.execute(sql`select to_regclass('curfew_migrations') is not null as present`);
    const present = (exists as { rows: { present?: boolean }[] }).rows[0]?.present === true;
    if (!present) await tx.execute(sql.raw(CREATE_MIGRATIONS_TABLE));
    const rows = await tx.select().from(curfewMigrations);
    const appliedHashes = new Map(rows.map((row) => [row.tag, row.hash]));
    const applied: string[] = [];
    for (const file of files) {
      const previousHash = appliedHashes.get(file.tag);
      if (previousHash !== undefined) {
        if (previousHash !== file.hash) {
          throw new MigrationError(
            `migration ${file.file} changed after it was applied; never edit an applied migration: ` +
              'restore the file and add a new migration instead',
          );
        }
        continue;
      }
      for (const statement of file.statements) {
        try {
          await tx.execute(sql.raw(statement));
        } catch (error) {
          throw new MigrationError(`migration ${file.file} failed: ${messageOf(causeOf(error))}`);
        }
      }
      await tx.insert(curfewMigrations).values({ tag: file.tag, hash: file.hash });
      applied.push(file.tag);
    }
    return { applied };
  });
}

/** drizzle wraps driver errors ("Failed query: …"); the driver's message is the useful one. */
function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}
