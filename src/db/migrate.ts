import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { packageRoot } from '../shared/package-root.js';
import type { HubDatabase } from './database.js';
import { SqlFileMigrationProvider } from './sql-migration-provider.js';

/** Runs every pending migration of `migrations/`; throws once if any failed. Returns the names applied. */
export async function migrateToLatest(database: HubDatabase): Promise<string[]> {
  const provider = new SqlFileMigrationProvider(join(packageRoot(), 'migrations'));
  if (await allApplied(database, Object.keys(await provider.getMigrations()))) return [];
  const migrator = new Migrator({ db: database.db, provider, migrationTableSchema: database.schema });
  let { error, results } = await migrator.migrateToLatest();
  // Seen on PostgreSQL under parallel test load (twice in many runs): SQLSTATE 3F000 while the
  // Migrator introspects. Its introspection scans the relations of every schema, so a schema another
  // process drops at that moment (tests drop theirs when they end) is the likely cause. Create ours
  // again and retry, a few times with a short pause.
  for (let attempt = 1; attempt <= 5 && database.schema !== 'public'; attempt++) {
    if ((error as { code?: string } | undefined)?.code !== '3F000') break;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    await sql.raw(`CREATE SCHEMA IF NOT EXISTS "${database.schema}"`).execute(database.db);
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = (error as Error).message ?? String(error);
    throw new Error(
      failed
        ? `migration ${failed} failed: ${reason}`
        : `the database could not be reached or read (${reason}); check --db / DATABASE_URL and that the server runs`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * One query instead of the Migrator's dozen (tables, lock, transaction) when there is nothing to
 * do — the common start. Any doubt (no table yet, a name missing) leaves it to the Migrator.
 */
async function allApplied(database: HubDatabase, names: string[]): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM ${sql.table(`${database.schema}.kysely_migration`)}
    `.execute(database.db);
    const applied = new Set(rows.map((r) => r.name));
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}
