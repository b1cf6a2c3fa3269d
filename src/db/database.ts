import type { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { DatabaseTarget } from './database-target.js';
import { type EmbeddedEngine, startEmbeddedWorker } from './embedded-database.js';
import type { Database } from './tables.js';

export interface HubDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'embedded';
  schema: string;
  /** The node-postgres pool under Kysely (for libraries that bring their own SQL). */
  pool: pg.Pool;
  /** Round trip to the database, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export { type DatabaseTarget, resolveDatabaseTarget } from './database-target.js';

/**
 * Opens Kysely over node-postgres. The embedded database goes through PGlite's own node-postgres
 * adapter, so both targets share one dialect, one driver and one SQL dialect.
 */
export async function openDatabase(options: {
  target: DatabaseTarget;
  schema: string;
  logger: Logger;
}): Promise<HubDatabase> {
  const { target, schema, logger } = options;
  let lite: PGlite | EmbeddedEngine | undefined;
  let ownsLite = false;
  let pool: pg.Pool;
  if (target.kind === 'postgres') {
    pool = new pg.Pool({
      connectionString: target.url,
      // The schema is set at connection start-up: a SET issued on connect would run while the
      // pool already hands the client to a query (pg warns; pg 9 will refuse).
      ...(schema !== 'public' ? { options: `-c search_path=${schema}` } : {}),
      max: 10,
      // pg waits forever for a connection by default; a dead server must fail fast instead.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 10_000,
    });
  } else {
    if (target.kind === 'pglite') {
      lite = target.instance;
      ownsLite = target.owned ?? false;
      await lite.waitReady;
    } else {
      lite = startEmbeddedWorker(target.dataDir === 'memory' ? 'memory://' : target.dataDir);
      ownsLite = true;
      await lite.waitReady;
    }
    pool = new pg.Pool(createPgConfig(lite as PGlite) as unknown as pg.PoolConfig);
  }
  // An idle client's backend error is emitted on the pool; without a listener Node would crash.
  pool.on('error', (error) => logger.warn('database connection lost', { error: error.message }));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn('database client error', { error: error.message }));
    // The embedded database's adapter takes no start-up options: there the SET goes first in line.
    if (schema !== 'public' && target.kind !== 'postgres')
      client.query(`SET search_path TO "${schema}"`).catch(() => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema !== 'public') await sql.raw(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).execute(db);
  return {
    db,
    kind: target.kind === 'postgres' ? 'postgres' : 'embedded',
    schema,
    pool,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
      if (ownsLite) await lite?.close();
    },
  };
}
