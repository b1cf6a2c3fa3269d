import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import seedrandom from 'seedrandom';
import type { HubDatabase } from '../../src/db/database.js';
import { HubError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logger.js';
import { createHealthMonitor, type HealthMonitor } from '../../src/registry/health-monitor.js';
import { createRegistryRepository, type RegistryRepository } from '../../src/registry/registry-repository.js';
import { createRegistryService, type RegistryService } from '../../src/registry/registry-service.js';
import { type RegistryChange, RegistryStore } from '../../src/registry/registry-store.js';
import { dropSchema, openMigratedTestDatabase, TEST_DB, uniqueSchema } from '../helpers/test-database.js';

/**
 * Two hubs' registries on one database (hub B's changes reach hub A as notices, as
 * registry-sync.ts delivers them, and the other way round), driven by a seeded random sequence of
 * registrations, heartbeats, deregistrations, health outcomes, expiries and missed notices. After
 * every step, each hub's REST view, its routing view and a store freshly loaded from the database
 * must say the same thing.
 */

const SERVICE_IDS = ['a-1', 'a-2', 'b-1', 'b-2', 'c-1', 'c-2'];
/** Each service_name's own tools, and a few every name may try to claim (conflicts: 409). */
const OWN_TOOLS = ['quote', 'history', 'news'];
const CONTESTED_TOOLS = ['shared_search', 'shared_status'];

interface Hub {
  name: string;
  store: RegistryStore;
  registry: RegistryService;
  health: HealthMonitor;
  /** Notices this hub announced that the other hub has not applied yet. */
  outgoing: string[];
}

/** Everything a client can observe of a store, in a canonical form. */
function observe(store: RegistryStore) {
  const services: Record<string, { name: string; active: boolean; healthy: boolean; tools?: string[] }> = {};
  let cursor: string | undefined;
  do {
    const page = store.listServices({ limit: 2, cursor });
    for (const s of page.items) {
      services[s.service_id] = { name: s.service_name, active: s.is_active, healthy: s.is_healthy };
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  const catalogue: Record<string, string[]> = {};
  cursor = undefined;
  do {
    const page = store.listCatalogue({ limit: 2, cursor });
    for (const t of page.items) catalogue[t.name] = [...t.instances].sort();
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  for (const [id, s] of Object.entries(services)) {
    if (s.active) s.tools = store.getActive(id)?.tools.map((t) => t.name);
  }
  // The routing view: instances, health, and which tools are visible through which healthy instances.
  const routing: Record<string, { healthy: boolean; endpoint: string }> = {};
  for (const instance of store.routing.allInstances()) {
    routing[instance.serviceId] = { healthy: instance.healthy, endpoint: instance.endpoint };
  }
  const visible: Record<string, string[]> = {};
  for (const tool of store.routing.visibleTools()) {
    visible[tool.definition.name] = store.routing
      .healthyInstancesOf(tool.definition.name)
      .map((i) => i.serviceId)
      .sort();
  }
  return { services, catalogue, routing, visible };
}

/** The REST view and the routing view of one store tell the same story. */
function assertInternallyConsistent(store: RegistryStore, label: string): void {
  const { services, catalogue, routing, visible } = observe(store);
  const active = Object.entries(services).filter(([, s]) => s.active);
  assert.deepEqual(
    Object.keys(routing).sort(),
    active.map(([id]) => id).sort(),
    `${label}: routing holds exactly the active instances`,
  );
  for (const [id, s] of active) assert.equal(routing[id]!.healthy, s.healthy, `${label}: health of ${id}`);
  const expectedCatalogue: Record<string, string[]> = {};
  const expectedVisible: Record<string, string[]> = {};
  for (const [id, s] of active) {
    for (const name of s.tools ?? []) {
      expectedCatalogue[name] = [...(expectedCatalogue[name] ?? []), id];
      if (s.healthy) expectedVisible[name] = [...(expectedVisible[name] ?? []), id];
    }
  }
  for (const list of [...Object.values(expectedCatalogue), ...Object.values(expectedVisible)]) list.sort();
  assert.deepEqual(catalogue, expectedCatalogue, `${label}: REST catalogue = tools of active instances`);
  assert.deepEqual(visible, expectedVisible, `${label}: visible tools = tools of healthy instances`);
}

describe(`registry store property on the ${TEST_DB} database`, () => {
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

  it('keeps REST, routing and a fresh load from the database in agreement through 400 random steps', async () => {
    const random = seedrandom('fin-hub registry store');
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    /** The health endpoint's answer per instance: what the next check of it sees. */
    const healthy = new Map<string, boolean>();

    const makeHub = (name: string): Hub => {
      const store = new RegistryStore();
      const hub: Hub = {
        name,
        store,
        outgoing: [],
        registry: createRegistryService({
          repository,
          store,
          defaults: { healthIntervalSeconds: 30, ttlSeconds: 300, maxInstances: 100 },
          guardUrl: async () => {},
          discoverTools: async () => ({ tools: [], warnings: [] }),
        }),
        health: createHealthMonitor({
          repository,
          store,
          logger: createSilentLogger(),
          failureThreshold: 1,
          timeoutMs: 1000,
          concurrency: 2,
          tickMs: 60_000,
          fetchHealth: async (url) => {
            const id = new URL(url).pathname.split('/')[1]!;
            return new Response(null, { status: healthy.get(id) === false ? 500 : 200 });
          },
        }),
      };
      // What registry-sync.ts publishes: this hub's own changes.
      store.on('change', (change: RegistryChange) => {
        if (change.origin === 'local') hub.outgoing.push(...change.changed);
      });
      return hub;
    };
    const hubs = [makeHub('A'), makeHub('B')];
    const counts: Record<string, number> = {};

    /** Delivers (or loses, then recovers by re-reading everything) the notices between the hubs. */
    async function deliverNotices(): Promise<void> {
      for (const [from, to] of [
        [hubs[0]!, hubs[1]!],
        [hubs[1]!, hubs[0]!],
      ] as const) {
        if (from.outgoing.length === 0) continue;
        const ids = from.outgoing.splice(0);
        if (random() < 0.2) {
          // Lost while the listener was reconnecting: registry-sync re-reads the whole registry.
          const { services, tools } = await repository.loadAll();
          to.store.reconcile(services, tools, 'remote');
          counts.missed = (counts.missed ?? 0) + 1;
          continue;
        }
        for (const id of ids) {
          const found = await repository.getService(id);
          if (found) to.store.apply([found.service.is_active ? found : { service: found.service }], 'remote');
        }
      }
    }

    for (let step = 0; step < 400; step++) {
      const hub = pick(hubs);
      const action = pick([
        'register',
        'register',
        'heartbeat',
        'deregister',
        'health',
        'health',
        'expire',
      ] as const);
      // Most steps act on a registered instance, so that health changes and expiries really happen.
      const active = [...hub.store.routing.allInstances()].map((i) => i.serviceId);
      const id =
        action !== 'register' && active.length > 0 && random() < 0.8 ? pick(active) : pick(SERVICE_IDS);
      counts[action] = (counts[action] ?? 0) + 1;
      const healthBefore = hub.store.routing.getInstance(id)?.healthy;
      try {
        if (action === 'register') {
          const serviceName = id.split('-')[0]!;
          const tools = [
            ...OWN_TOOLS.filter(() => random() < 0.6).map((name) => `${serviceName}_${name}`),
            ...CONTESTED_TOOLS.filter(() => random() < 0.1),
          ].map((name) => ({ name }));
          await hub.registry.register({
            service_id: id,
            service_name: serviceName,
            address: '127.0.0.1',
            port: 9,
            // The path carries the id so the health check knows which instance it probes.
            health_check: { http: `http://127.0.0.1:9/${id}/health`, interval: 30 },
            weight: 1 + Math.floor(random() * 3),
            tools,
          });
        } else if (action === 'heartbeat') {
          await hub.registry.heartbeat(id);
        } else if (action === 'deregister') {
          await hub.registry.deregister(id);
        } else if (action === 'health') {
          healthy.set(id, random() < 0.5);
          await hub.health.checkNow(id);
        } else {
          await sql`update ${sql.table('services')} set last_seen = now() - interval '1 hour'
                    where service_id = ${id}`.execute(database.db);
          await hub.health.expireNow();
        }
      } catch (error) {
        // 404 (unknown or inactive) and 409 (another service_name owns a tool) are part of the game.
        if (!(error instanceof HubError) || ![404, 409].includes(error.status)) throw error;
        counts[`refused ${error.status}`] = (counts[`refused ${error.status}`] ?? 0) + 1;
      }
      const healthAfter = hub.store.routing.getInstance(id)?.healthy;
      if (action === 'health' && healthBefore !== undefined && healthAfter !== healthBefore) {
        counts['health changed'] = (counts['health changed'] ?? 0) + 1;
      }
      await deliverNotices();

      const fresh = new RegistryStore();
      const { services, tools } = await repository.loadAll();
      fresh.load(services, tools);
      const truth = observe(fresh);
      assertInternallyConsistent(fresh, `step ${step} fresh load`);
      for (const h of hubs) {
        assertInternallyConsistent(h.store, `step ${step} hub ${h.name}`);
        const seen = observe(h.store);
        assert.deepEqual(
          seen.routing,
          truth.routing,
          `step ${step} (${action} ${id}): hub ${h.name} routing`,
        );
        assert.deepEqual(
          seen.visible,
          truth.visible,
          `step ${step} (${action} ${id}): hub ${h.name} visible`,
        );
        assert.deepEqual(
          seen.catalogue,
          truth.catalogue,
          `step ${step} (${action} ${id}): hub ${h.name} REST`,
        );
        assert.deepEqual(
          seen.services,
          truth.services,
          `step ${step} (${action} ${id}): hub ${h.name} services`,
        );
      }
    }
    // The sequence exercised every kind of step, refusals and lost notices included.
    for (const kind of [
      'register',
      'heartbeat',
      'deregister',
      'health',
      'expire',
      'missed',
      'refused 404',
      'refused 409',
    ]) {
      assert.ok((counts[kind] ?? 0) > 0, `the sequence has at least one ${kind}: ${JSON.stringify(counts)}`);
    }
    for (const h of hubs) await h.health.close();
  });
});
