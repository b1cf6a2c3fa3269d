import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type HubDatabase, openDatabase } from '../../src/db/database.js';
import { type EmbeddedEngine, startEmbeddedWorker } from '../../src/db/embedded-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createSilentLogger } from '../../src/logger.js';

export const TEMPLATE_DIR = join(new URL('../..', import.meta.url).pathname, '.cache', 'pglite-template');

/** Which database this test run uses: set by scripts/run-tests.mjs. */
export const TEST_DB: 'embedded' | 'postgres' =
  process.env.FIN_HUB_TEST_DB === 'postgres' ? 'postgres' : 'embedded';

let shared: Promise<EmbeddedEngine> | undefined;

/**
 * One embedded database per test process (on its own thread, as the hub runs it), copied from
 * the template; tests isolate by schema.
 */
export function sharedPglite(): Promise<EmbeddedEngine> {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fin-hub-test-'));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    const db = startEmbeddedWorker(dir);
    await db.waitReady;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return db;
  })();
  return shared;
}

/** A schema name no other test uses. */
export function uniqueSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema (PostgreSQL keeps them otherwise; the embedded one is thrown away). */
export async function dropSchema(schema: string): Promise<void> {
  if (TEST_DB !== 'postgres') return;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The database target of this run: PostgreSQL, or the process's shared embedded database. */
export async function testDatabaseTarget() {
  return TEST_DB === 'postgres'
    ? ({ kind: 'postgres', url: process.env.TEST_DATABASE_URL! } as const)
    : ({ kind: 'pglite', instance: await sharedPglite() } as const);
}

/** This run's database in a schema of its own, migrated: for tests of the queries themselves. */
export async function openMigratedTestDatabase(schema: string): Promise<HubDatabase> {
  const database = await openDatabase({
    target: await testDatabaseTarget(),
    schema,
    logger: createSilentLogger(),
  });
  await migrateToLatest(database);
  return database;
}
