import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Bookkeeping of `migrate()`: one row per applied migration file. Created by `migrate()` itself
 * (not by a migration), so it is deliberately not part of the drizzle-kit schema.
 */
export const curfewMigrations = pgTable('curfew_migrations', {
  tag: text('tag').primaryKey(),
  /** sha256 of the migration file as applied. */
  hash: text('hash').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS curfew_migrations (
  tag text PRIMARY KEY,
  hash text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
