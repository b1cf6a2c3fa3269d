import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSilentLogger } from '../../src/logger.js';
import { createHealthMonitor } from '../../src/registry/health-monitor.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import type { ServiceRecord } from '../../src/registry/registry-types.js';
import { serviceRecord } from '../helpers/registry-records.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The health and TTL loop's scheduling, with a clock the test moves and a repository fake that
 * answers like the real one: no timers, no database. tests/registry/health-monitor.test.ts runs the
 * same loop against real servers and a real database.
 */
function setUp(services: ServiceRecord[]) {
  let clock = 1_000_000;
  const store = new RegistryStore();
  store.load(services, []);
  const checked: string[] = [];
  const swept: number[] = [];
  const monitor = createHealthMonitor({
    store,
    logger: createSilentLogger(),
    failureThreshold: 3,
    timeoutMs: 1000,
    concurrency: 4,
    tickMs: 3_600_000,
    now: () => clock,
    random: () => 0.5,
    fetchHealth: async (url) => {
      checked.push(url);
      return new Response(null, { status: 200 });
    },
    repository: {
      recordHealthCheck: async (serviceId) => services.find((s) => s.service_id === serviceId),
      expireStale: async () => {
        swept.push(clock);
        return [];
      },
    },
  });
  return {
    monitor,
    checked,
    swept,
    advanceTo: (ms: number) => {
      clock = 1_000_000 + ms;
    },
  };
}

describe('health loop schedule (fake clock)', () => {
  it('spreads the first check over one interval, then checks every interval', async () => {
    const { monitor, checked, advanceTo } = setUp([
      serviceRecord('s-1', { health_check_interval: 10, health_check_url: 'http://127.0.0.1:9/s-1' }),
    ]);
    await monitor.tickNow(); // first sight: due at 0.5 × 10 s
    advanceTo(4_999);
    await monitor.tickNow();
    assert.deepEqual(checked, [], 'not due before half an interval (random = 0.5)');
    advanceTo(5_000);
    await monitor.tickNow();
    await waitFor(() => checked.length === 1, 'the first check');
    advanceTo(14_999); // next due at 5 s + 10 s × (0.9 + 0.5 × 0.2) = 15 s
    await monitor.tickNow();
    advanceTo(15_000);
    await monitor.tickNow();
    await waitFor(() => checked.length === 2, 'the second check');
    await monitor.close();
    assert.equal(checked.length, 2);
  });

  it('sweeps TTLs when memory says an instance is due, and otherwise only every 30 s', async () => {
    const { monitor, swept, advanceTo } = setUp([
      // Registered at the clock's start, 5 s TTL; checks far away.
      serviceRecord('t-1', { ttl_seconds: 5, health_check_interval: 3600, last_seen: new Date(1_000_000) }),
    ]);
    advanceTo(1_000);
    await monitor.tickNow();
    assert.equal(swept.length, 1, 'the first pass sweeps once (rows other hubs hold)');
    advanceTo(2_000);
    await monitor.tickNow();
    advanceTo(4_999);
    await monitor.tickNow();
    assert.equal(swept.length, 1, 'nothing due: no UPDATE over every active row');
    advanceTo(5_001);
    await monitor.tickNow();
    assert.equal(swept.length, 2, 'memory says t-1 is past its TTL: sweep');
    assert.equal(monitor.sweeps, 2);
    await monitor.close();
  });

  it('sweeps every 30 s even when memory knows of nothing due', async () => {
    const { monitor, swept, advanceTo } = setUp([]);
    await monitor.tickNow();
    advanceTo(29_999);
    await monitor.tickNow();
    assert.equal(swept.length, 1);
    advanceTo(30_000);
    await monitor.tickNow();
    assert.equal(swept.length, 2);
    await monitor.close();
  });
});
