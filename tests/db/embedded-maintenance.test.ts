import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedMaintenance } from '../../src/db/embedded-maintenance.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createSilentLogger, type Logger } from '../../src/logger.js';
import { dropSchema, TEST_DB, testDatabaseTarget, uniqueSchema } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

describe(`embedded database upkeep, run against the ${TEST_DB} database`, () => {
  const schema = uniqueSchema();
  after(() => dropSchema(schema));

  it('refreshes planner statistics after a registry change and vacuums on schedule, without errors', async () => {
    const database = await openDatabase({
      target: await testDatabaseTarget(),
      schema,
      logger: createSilentLogger(),
    });
    const warnings: string[] = [];
    const silent = createSilentLogger();
    const logger: Logger = {
      ...silent,
      warn: (message, meta) => warnings.push(`${message} ${JSON.stringify(meta)}`),
    };
    try {
      await migrateToLatest(database);
      await sql`
        INSERT INTO services (service_id, service_name, address, port)
        SELECT 'm-' || i, 'm', '127.0.0.1', 9000 FROM generate_series(1, 40) i
      `.execute(database.db);
      const reltuples = async () =>
        Number(
          (
            await sql<{ n: number }>`
              SELECT reltuples AS n FROM pg_class WHERE oid = ${`"${schema}".services`}::regclass
            `.execute(database.db)
          ).rows[0]!.n,
        );
      // Never analysed: PostgreSQL reports -1 (or 0 before version 14).
      assert.ok((await reltuples()) <= 0);
      const maintenance = startEmbeddedMaintenance({ db: database.db, logger, checkMs: 50, vacuumMs: 400 });
      maintenance.noteChange();
      await waitFor(async () => (await reltuples()) === 40, 'ANALYZE after the change');
      // The scheduled VACUUM (ANALYZE) runs too, and nothing failed.
      await waitFor(() => maintenance.completed.vacuum > 0, 'the scheduled VACUUM');
      await maintenance.close();
      assert.deepEqual(warnings, []);
    } finally {
      await database.close();
    }
  });
});
