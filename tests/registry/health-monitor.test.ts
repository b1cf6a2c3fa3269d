import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

/** A real HTTP server whose /health answer the test switches between modes. */
async function healthServer(t: TestContext, initial: 'ok' | 'fail' | 'hang') {
  let mode = initial;
  const server: Server = createServer((_req, res) => {
    if (mode === 'hang') return; // never answers
    res.writeHead(mode === 'ok' ? 200 : 500).end(mode);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    port: (server.address() as AddressInfo).port,
    set(next: typeof mode) {
      mode = next;
    },
  };
}

/** A registration naming its HTTP health URL (without one, the hub checks health over MCP). */
const httpHealth = (port: number) => ({ health_check: { http: `http://127.0.0.1:${port}/health` } });

describe(`health and TTL loops on the ${TEST_DB} database`, () => {
  const hubOptions = { health: { failureThreshold: 3, timeoutMs: 300 } };

  async function checkTimes(hub: Awaited<ReturnType<typeof startTestHub>>, id: string, n: number) {
    for (let i = 0; i < n; i++) await hub.health.checkNow(id);
    return (await api(hub, 'GET', `/api/v1/services/${id}`)).body;
  }

  it('keeps a healthy instance healthy', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await healthServer(t, 'ok');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('ok-1', 'okay', spoke.port, ['ok_tool'], httpHealth(spoke.port)),
    );
    const service = await checkTimes(hub, 'ok-1', 3);
    assert.equal(service.is_healthy, true);
    assert.equal(service.consecutive_failures, 0);
    assert.ok(service.last_health_check);
  });

  it('marks an instance answering 500 unhealthy after 3 failures, with the reason, and takes its tools out', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await healthServer(t, 'fail');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('bad-1', 'bad', spoke.port, ['bad_tool'], httpHealth(spoke.port)),
    );
    let service = await checkTimes(hub, 'bad-1', 2);
    assert.equal(service.is_healthy, true, 'two failures are not enough');
    service = await checkTimes(hub, 'bad-1', 1);
    assert.equal(service.is_healthy, false);
    assert.equal(service.consecutive_failures, 3);
    assert.match(service.last_failure_reason, /HTTP 500/);
    assert.equal(hub.routing.getTool('bad_tool'), undefined);
  });

  it('counts a hanging health endpoint as a failure (timeout)', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await healthServer(t, 'hang');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('hang-1', 'hang', spoke.port, ['hang_tool'], httpHealth(spoke.port)),
    );
    const service = await checkTimes(hub, 'hang-1', 3);
    assert.equal(service.is_healthy, false);
    assert.match(service.last_failure_reason, /timed out after 300 ms/);
  });

  it('counts a refused connection as a failure', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const port = await freePort();
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('gone-1', 'gone', port, ['gone_tool'], httpHealth(port)),
    );
    const service = await checkTimes(hub, 'gone-1', 3);
    assert.equal(service.is_healthy, false);
    assert.match(service.last_failure_reason, /ECONNREFUSED/);
  });

  it('brings a flapping instance back on one success', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await healthServer(t, 'fail');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('flap-1', 'flap', spoke.port, ['flap_tool'], httpHealth(spoke.port)),
    );
    assert.equal((await checkTimes(hub, 'flap-1', 3)).is_healthy, false);
    spoke.set('ok');
    const back = await checkTimes(hub, 'flap-1', 1);
    assert.equal(back.is_healthy, true);
    assert.equal(back.consecutive_failures, 0);
    assert.ok(hub.routing.getTool('flap_tool'));
    spoke.set('fail');
    assert.equal(
      (await checkTimes(hub, 'flap-1', 1)).is_healthy,
      true,
      'one failure after recovery is not enough',
    );
  });

  it('runs checks by itself every interval', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await healthServer(t, 'fail');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('loop-1', 'loop', spoke.port, ['loop_tool'], {
        health_check: { ...httpHealth(spoke.port).health_check, interval: 1 },
      }),
    );
    await waitFor(
      () => hub.routing.getTool('loop_tool') === undefined,
      'the loop to find the failures on its own',
    );
  });

  it('expires an instance from its own loop, with no sweep asked for, never before its ttl_seconds', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const started = Date.now();
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('ttl-2', 'ttl2', 9, ['ttl2_tool'], { ttl_seconds: 5, health_check: { interval: 3600 } }),
    );
    assert.ok(hub.routing.getTool('ttl2_tool'));
    // When the sweep runs (memory says due, or the 30 s pass) is tests/registry/health-monitor-schedule.test.ts's.
    await waitFor(() => hub.routing.getTool('ttl2_tool') === undefined, 'the loop to expire it', 60_000);
    assert.ok(Date.now() - started >= 5000, 'not before its ttl_seconds');
    assert.equal((await api(hub, 'GET', '/api/v1/services/ttl-2')).body.is_active, false);
  });

  it('deactivates an instance not seen within its ttl_seconds', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('ttl-1', 'ttl', 9, ['ttl_tool'], { ttl_seconds: 5, health_check: { interval: 3600 } }),
    );
    assert.deepEqual(await hub.health.expireNow(), []);
    // Age the row instead of waiting 5 s: last_seen is the only input of the sweep.
    const { sql } = await import('kysely');
    await sql`update services set last_seen = now() - interval '6 seconds' where service_id = 'ttl-1'`.execute(
      hub.database.db,
    );
    // The loop's own tick may get there first; either way the instance goes.
    await hub.health.expireNow();
    await waitFor(() => hub.routing.getTool('ttl_tool') === undefined, 'the instance to go');
    const stored = await api(hub, 'GET', '/api/v1/services/ttl-1');
    assert.equal(stored.body.is_active, false);
    assert.equal((await api(hub, 'PUT', '/api/v1/services/ttl-1/heartbeat')).status, 404);
  });
});
