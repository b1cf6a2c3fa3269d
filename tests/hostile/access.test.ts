// Failure injection (issue: no caller may own what is not theirs): DNS rebinding on REST, a
// forged X-Forwarded-For from a peer that is not a trusted proxy, one identity opening sessions
// until the hub is full, and one identity using another's session id.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import type { HubConfigInput } from '../../src/config/config-schema.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** node:http, because fetch will not send a Host header of our choosing. */
function rawRequest(hub: Hub, method: string, path: string, headers: Record<string, string>, body?: string) {
  const url = new URL(hub.url!);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const KEYS = {
  alice: 'alice-key-0123456789abcdef',
  bob: 'bob-key-0123456789abcdef00',
};
const withKeys = {
  auth: {
    keys: [
      {
        name: 'alice',
        key: KEYS.alice,
        scopes: ['tools:call', 'registry:write', 'registry:read'] as (
          | 'tools:call'
          | 'registry:write'
          | 'registry:read'
        )[],
      },
      {
        name: 'bob',
        key: KEYS.bob,
        scopes: ['tools:call', 'registry:write', 'registry:read'] as (
          | 'tools:call'
          | 'registry:write'
          | 'registry:read'
        )[],
      },
    ],
  },
} satisfies HubConfigInput;

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = (hub: Hub, key: string) =>
  fetch(`${hub.url}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${key}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } },
    }),
  });

describe(`access on the ${TEST_DB} database`, () => {
  it('refuses a foreign Host or Origin on REST writes and execute (DNS rebinding), not on /health', async (t) => {
    const hub = await startTestHub(t);
    const body = JSON.stringify(registration('dns-1', 'dns', 9, ['dns_tool']));
    const json = { 'content-type': 'application/json' };
    const foreignHost = await rawRequest(
      hub,
      'POST',
      '/api/v1/services/register',
      { ...json, host: 'evil.example:8000' },
      body,
    );
    assert.equal(foreignHost.status, 403, foreignHost.body);
    assert.equal(JSON.parse(foreignHost.body).error.code, 'forbidden');
    const foreignOrigin = await rawRequest(
      hub,
      'POST',
      '/api/v1/tools/dns_tool/execute',
      { ...json, origin: 'http://evil.example' },
      JSON.stringify({ arguments: {} }),
    );
    assert.equal(foreignOrigin.status, 403);
    assert.equal((await rawRequest(hub, 'GET', '/health', { host: 'evil.example' })).status, 200);
    // Nothing was registered by the refused request.
    assert.equal((await api(hub, 'GET', '/api/v1/services/dns-1')).status, 404);
    assert.equal((await api(hub, 'POST', '/api/v1/services/register', JSON.parse(body))).status, 200);
  });

  /** Five calls from loopback, each claiming another client in X-Forwarded-For; their statuses. */
  async function statusesWithForgedClients(t: TestContext, trustedProxies: string[]): Promise<number[]> {
    const hub = await startTestHub(t, { rateLimit: { toolCallsPerMinute: 3 }, trustedProxies });
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('xff-1', 'xff', spoke.port, ['echo']));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const forwarded = { 'x-forwarded-for': `203.0.113.${i}` };
      statuses.push(
        (await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'x' } }, forwarded))
          .status,
      );
    }
    return statuses;
  }

  it('counts the rate limit against the socket address, whatever X-Forwarded-For a peer invents', async (t) => {
    assert.deepEqual(await statusesWithForgedClients(t, []), [200, 200, 200, 429, 429]);
  });

  it('believes X-Forwarded-For from a configured trusted proxy (each forwarded client has its own limit)', async (t) => {
    assert.deepEqual(await statusesWithForgedClients(t, ['loopback']), [200, 200, 200, 200, 200]);
  });

  it('holds one identity to its session share: 1,001 initialize POSTs from one key, another key still connects', async (t) => {
    const hub = await startTestHub(t, withKeys);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1001; i++) {
      const res = await initialize(hub, KEYS.alice);
      await res.body?.cancel();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    assert.equal(statuses.get(200), 100, 'the default share is 100 sessions');
    assert.equal(statuses.get(429), 901);
    const bob = await initialize(hub, KEYS.bob);
    assert.equal(bob.status, 200, 'another identity is not locked out');
    await bob.body?.cancel();
    assert.equal(hub.sessions, 101);
  });

  it("answers another identity's session id as unknown, on the fast path and through express", async (t) => {
    const hub = await startTestHub(t, withKeys);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('own-1', 'own', spoke.port, ['echo']), {
      authorization: `Bearer ${KEYS.alice}`,
    });
    const opened = await initialize(hub, KEYS.alice);
    await opened.body?.cancel();
    const sessionId = opened.headers.get('mcp-session-id')!;
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    });
    for (const extra of [{}, { 'x-forwarded-for': '127.0.0.1' }] as Record<string, string>[]) {
      const stolen = await fetch(`${hub.url}/mcp`, {
        method: 'POST',
        headers: {
          ...MCP_HEADERS,
          ...extra,
          authorization: `Bearer ${KEYS.bob}`,
          'mcp-session-id': sessionId,
        },
        body: call,
      });
      assert.equal(stolen.status, 404);
      await stolen.body?.cancel();
    }
    assert.equal(spoke.log.count('echo'), 0, "bob's calls never ran in alice's session");
  });
});
