import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createSilentLogger } from '../../src/logger.js';
import { dropSchema, TEST_DB, testDatabaseTarget, uniqueSchema } from '../helpers/test-database.js';

describe(`migrations on the ${TEST_DB} database`, () => {
  const schema = uniqueSchema();
  after(() => dropSchema(schema));

  it('create every table from an empty schema, and a second run is a no-op', async () => {
    const database = await openDatabase({
      target: await testDatabaseTarget(),
      schema,
      logger: createSilentLogger(),
    });
    try {
      assert.deepEqual(await migrateToLatest(database), [
        '0001_initial',
        '0002_ownership_and_audit',
        '0003_rate_limits',
        '0004_discovered_tools',
        '0005_upstream_credentials',
        '0006_namespaces',
        '0007_shared_session',
      ]);
      assert.deepEqual(await migrateToLatest(database), []);
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
        database.db,
      );
      const names = tables.rows.map((r) => r.table_name);
      for (const table of ['services', 'tools', 'tool_executions', 'registry_audit', 'rate_limits'])
        assert.ok(names.includes(table), `${table} exists`);
      // The cascade from a service to its tools is in place.
      await database.db
        .insertInto('services')
        .values({
          service_id: 's',
          service_name: 'n',
          address: '127.0.0.1',
          port: 1,
          mcp_url: null,
          version: null,
          tags: '[]',
          meta: '{}',
          tool_prefix: null,
          health_check_url: null,
          health_check_interval: 30,
          last_failure_reason: null,
          weight: 1,
          ttl_seconds: 60,
        })
        .execute();
      await database.db
        .insertInto('tools')
        .values({
          service_id: 's',
          name: 't',
          upstream_name: 't',
          description: null,
          category: null,
          version: null,
          tags: '[]',
          input_schema: '{"type":"object"}',
          output_schema: null,
          annotations: null,
          timeout_seconds: null,
          retry_attempts: null,
        })
        .execute();
      await database.db.deleteFrom('services').execute();
      const left = await database.db.selectFrom('tools').selectAll().execute();
      assert.equal(left.length, 0);
    } finally {
      await database.close();
    }
  });
});
