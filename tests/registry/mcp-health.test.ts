import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startModernSpoke } from '../fixtures/modern-spoke.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** A registration by MCP URL only, as a user puts any MCP server behind the hub: no tools, no health URL. */
const byUrl = (serviceId: string, port: number, mcpUrl: string) => ({
  service_id: serviceId,
  service_name: serviceId.replace(/-\d+$/, ''),
  address: '127.0.0.1',
  port,
  mcp_url: mcpUrl,
});

async function checkTimes(hub: Hub, id: string, n: number) {
  for (let i = 0; i < n; i++) await hub.health.checkNow(id);
  return (await api(hub, 'GET', `/api/v1/services/${id}`)).body;
}

describe(`health over MCP for servers without a health URL, on the ${TEST_DB} database`, () => {
  const hubOptions = { health: { failureThreshold: 3, timeoutMs: 2_000 } };

  it('keeps server-everything (no /health route) healthy, marks it down when it dies, and back when it returns', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const server = await startEverythingServer(t);
    // It has no /health: an HTTP check would get 404.
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/health`)).status, 404);
    const registered = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      byUrl('everything-1', server.port, server.mcpUrl),
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    let service = await checkTimes(hub, 'everything-1', 4);
    assert.equal(service.is_healthy, true);
    assert.equal(service.consecutive_failures, 0);
    assert.ok(service.last_health_check);
    assert.ok(hub.routing.getTool('echo'), 'its tools stay in the catalogue');

    await server.stop();
    service = await checkTimes(hub, 'everything-1', 3);
    assert.equal(service.is_healthy, false);
    assert.match(service.last_failure_reason, /MCP health check/);
    assert.equal(hub.routing.getTool('echo'), undefined);

    // Back on the same port (a new process, so a new session): one passing check restores it.
    await startEverythingServer(t, { port: server.port });
    service = await checkTimes(hub, 'everything-1', 1);
    assert.equal(service.is_healthy, true);
    assert.ok(hub.routing.getTool('echo'));
  });

  it('checks a 2026-07-28 server with server/discover (that revision has no ping)', async (t) => {
    const hub = await startTestHub(t, hubOptions);
    const spoke = await startModernSpoke();
    const registered = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      byUrl('modern-1', spoke.port, spoke.url),
    );
    assert.equal(registered.status, 200);
    let service = await checkTimes(hub, 'modern-1', 3);
    assert.equal(service.is_healthy, true);
    await spoke.close();
    service = await checkTimes(hub, 'modern-1', 3);
    assert.equal(service.is_healthy, false);
    assert.match(service.last_failure_reason, /MCP health check failed/);
  });
});
