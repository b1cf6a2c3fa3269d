import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

describe(`retention on the ${TEST_DB} database`, () => {
  it('deletes inactive services, old history and old audit rows past their ages, in batches, and memory follows', async (t) => {
    const hub = await startTestHub(t, { retention: { batchSize: 2 } });
    const spoke = await startTestSpoke(t);
    for (const id of ['keep-1', 'old-1', 'recent-1']) {
      await api(
        hub,
        'POST',
        '/api/v1/services/register',
        registration(id, id.split('-')[0]!, spoke.port, [`${id.split('-')[0]}_echo`]),
      );
    }
    await api(hub, 'POST', '/api/v1/services/old-1/deregister');
    await api(hub, 'POST', '/api/v1/services/recent-1/deregister');
    for (let i = 0; i < 7; i++) await hub.engine.execute({ tool: 'keep_echo', arguments: {} });
    await hub.history.drain();
    const db = hub.database.db;
    // Age what retention should take: one inactive service 8 days, five executions 31 days, the audit rows 91 days.
    await sql`update services set updated_at = now() - interval '8 days' where service_id = 'old-1'`.execute(
      db,
    );
    await sql`update tool_executions set started_at = now() - interval '31 days'
              where execution_id in (select execution_id from tool_executions order by execution_id limit 5)`.execute(
      db,
    );
    await sql`update registry_audit set at = now() - interval '91 days' where service_id = 'old-1'`.execute(
      db,
    );

    const pass = await hub.retention.runNow();
    assert.deepEqual(pass.services, ['old-1']);
    assert.equal(pass.executions, 5, 'in batches of 2');
    assert.equal(pass.audit, 2, "old-1's registration and deregistration");
    assert.equal((await api(hub, 'GET', '/api/v1/services/old-1')).status, 404);
    assert.equal(
      (await api(hub, 'GET', '/api/v1/services/recent-1')).body.is_active,
      false,
      'younger than 7 days: kept',
    );
    assert.equal((await api(hub, 'GET', '/api/v1/services/keep-1')).body.is_active, true);
    const listed = (await api(hub, 'GET', '/api/v1/services?limit=100')).body.items.map(
      (s: { service_id: string }) => s.service_id,
    );
    assert.deepEqual(listed, ['keep-1', 'recent-1'], 'the REST list forgets it too');
    assert.equal(await hub.executions.count(), 2);
    assert.deepEqual(
      await hub.retention.runNow(),
      { services: [], executions: 0, audit: 0 },
      'nothing left to delete',
    );
  });
});
