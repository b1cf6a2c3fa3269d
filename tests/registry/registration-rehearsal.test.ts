// A hub that starts its own spokes on the embedded database rehearses one registration first (a
// transaction rolled back) so that theirs find the database warm. The rehearsal must leave nothing
// behind and must not stand in the way of a real registration, whatever the registry holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HubDatabase } from '../../src/db/database.js';
import { createRegistryRepository, type RegistryRepository } from '../../src/registry/registry-repository.js';
import { serviceWrite } from '../helpers/registry-records.js';
import { dropSchema, openMigratedTestDatabase, TEST_DB, uniqueSchema } from '../helpers/test-database.js';

/** The market spoke's registration, as it would come from a hub's own spoke thread. */
const spoke = (serviceId: string, port: number) =>
  serviceWrite(serviceId, ['stock_quote'], { service_name: 'market', port, shared_session: true });

describe(`the registration rehearsal on the ${TEST_DB} database`, () => {
  let database: HubDatabase;
  let repository: RegistryRepository;
  const schema = uniqueSchema();

  before(async () => {
    database = await openMigratedTestDatabase(schema);
    repository = createRegistryRepository(database.db);
  });
  after(async () => {
    await database.close();
    await dropSchema(schema);
  });

  /** Everything a registration can write, as rows. */
  const snapshot = async () => ({
    services: await database.db.selectFrom('services').selectAll().orderBy('service_id').execute(),
    tools: await database.db.selectFrom('tools').selectAll().orderBy('service_id').orderBy('name').execute(),
    audit: await database.db.selectFrom('registry_audit').selectAll().execute(),
  });

  it('leaves an empty registry empty and a filled one as it was, and real registrations go on', async () => {
    const empty = await snapshot();
    await repository.rehearseRegistration();
    assert.deepEqual(await snapshot(), empty);

    await repository.upsertService(spoke('market-1', 4001), 100, { identity: 'spokes', admin: false });
    const filled = await snapshot();
    assert.equal(filled.services.length, 1);
    await repository.rehearseRegistration();
    await repository.rehearseRegistration();
    assert.deepEqual(await snapshot(), filled);

    // The same spoke registering again right after a rehearsal: an update, its owner unchanged.
    const again = await repository.upsertService(spoke('market-1', 4002), 100, {
      identity: 'spokes',
      admin: false,
    });
    assert.equal(again.created, false);
    assert.equal(again.service.port, 4002);
    assert.equal(again.service.owner, 'spokes');
  });

  it('runs beside a real registration without either failing', async () => {
    const [, registered] = await Promise.all([
      repository.rehearseRegistration(),
      repository.upsertService(spoke('market-2', 4003), 100, { identity: 'spokes', admin: false }),
    ]);
    assert.equal(registered.service.service_id, 'market-2');
    const ids = (await snapshot()).services.map((s) => s.service_id);
    assert.ok(!ids.some((id) => id.includes('rehearsal')), `no rehearsal row among ${ids.join(', ')}`);
  });
});
