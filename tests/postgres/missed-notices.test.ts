// Failure injection on several hubs (PostgreSQL only): a hub whose LISTEN connection is cut while
// another hub deregisters an instance must re-read the registry when it reconnects; a change that
// sent no notice at all is caught by the periodic consistency pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

assert.equal(TEST_DB, 'postgres', 'tests/postgres/ runs against PostgreSQL only');

async function sql(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('missed registry notices between hubs', () => {
  it('re-reads the registry after its LISTEN connection was cut during a deregistration', async (t) => {
    // No periodic pass within the test: only the re-read after reconnecting can repair this hub.
    const cut = await startTestHub(t, { sync: { consistencyIntervalMs: 3_600_000 } });
    const other = await startTestHub(t, {
      dbSchema: cut.config.dbSchema,
      sync: { consistencyIntervalMs: 3_600_000 },
    });
    const body = registration('gone-1', 'gone', 9, ['gone_tool'], { health_check: { interval: 3600 } });
    assert.equal((await api(other, 'POST', '/api/v1/services/register', body)).status, 200);
    await waitFor(() => cut.routing.getTool('gone_tool') !== undefined, 'the first hub to route to it');

    const killed = await sql(
      'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
      [cut.sync!.listenerName],
    );
    assert.equal(killed.length, 1, 'the listening connection was found and cut');
    // Deregistered while the first hub cannot hear: its notice is lost.
    assert.equal((await api(other, 'POST', '/api/v1/services/gone-1/deregister')).status, 200);
    await waitFor(
      () => cut.routing.getTool('gone_tool') === undefined,
      'the first hub to stop routing to it',
    );
    assert.equal((await api(cut, 'GET', '/api/v1/services/gone-1')).body.is_active, false);
  });

  it('catches a change that sent no notice at all within one consistency pass', async (t) => {
    const hub = await startTestHub(t, { sync: { consistencyIntervalMs: 200 } });
    const body = registration('quiet-1', 'quiet', 9, ['quiet_tool'], { health_check: { interval: 3600 } });
    assert.equal((await api(hub, 'POST', '/api/v1/services/register', body)).status, 200);
    // An operator's repair straight in the database: no hub announced it.
    await sql(
      `UPDATE "${hub.config.dbSchema}".services SET is_active = false, updated_at = now() WHERE service_id = 'quiet-1'`,
    );
    await waitFor(() => hub.routing.getTool('quiet_tool') === undefined, 'the pass to find it');
  });
});
