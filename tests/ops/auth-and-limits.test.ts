import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

const KEYS = {
  spoke: 'spoke-key-0123456789abcdef',
  agent: 'agent-key-0123456789abcdef',
  reader: 'reader-key-0123456789abcde',
  admin: 'admin-key-0123456789abcdef',
};
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const hubWithKeys = (t: Parameters<typeof startTestHub>[0], extra: Record<string, unknown> = {}) =>
  startTestHub(t, {
    auth: {
      keys: [
        { name: 'spoke', key: KEYS.spoke, scopes: ['registry:write'] },
        { name: 'agent', key: KEYS.agent, scopes: ['tools:call', 'registry:read'] },
        { name: 'reader', key: KEYS.reader, scopes: ['registry:read'] },
        { name: 'admin', key: KEYS.admin, scopes: ['admin'] },
      ],
    },
    ...extra,
  });

describe('API keys and scopes', () => {
  it('answer 401 without or with a wrong token and 403 without the scope, on every endpoint', async (t) => {
    const hub = await hubWithKeys(t);
    const spoke = await startTestSpoke(t);
    const body = registration('auth-1', 'testspoke', spoke.port, [
      { name: 'echo', input_schema: { type: 'object' } },
    ]);
    assert.equal((await api(hub, 'POST', '/api/v1/services/register', body, auth(KEYS.spoke))).status, 200);
    const endpoints: [string, string, unknown, string, string][] = [
      ['POST', '/api/v1/services/register', body, KEYS.spoke, KEYS.agent],
      ['PUT', '/api/v1/services/auth-1/heartbeat', undefined, KEYS.spoke, KEYS.reader],
      ['GET', '/api/v1/services', undefined, KEYS.reader, KEYS.spoke],
      ['GET', '/api/v1/services/auth-1', undefined, KEYS.reader, KEYS.spoke],
      ['GET', '/api/v1/tools', undefined, KEYS.agent, KEYS.spoke],
      ['GET', '/api/v1/tools/echo', undefined, KEYS.agent, KEYS.spoke],
      ['POST', '/api/v1/tools/echo/execute', { arguments: { text: 'x' } }, KEYS.agent, KEYS.reader],
      ['GET', '/api/v1/executions', undefined, KEYS.reader, KEYS.spoke],
      ['POST', '/api/v1/executions/none/cancel', undefined, KEYS.admin, KEYS.agent],
      ['POST', '/api/v1/services/auth-1/deregister', undefined, KEYS.spoke, KEYS.agent],
    ];
    for (const [method, path, payload, allowed, lacking] of endpoints) {
      const none = await api(hub, method, path, payload);
      assert.equal(none.status, 401, `${method} ${path} without a token`);
      assert.equal(none.body.error.code, 'unauthorized');
      assert.equal(
        (await api(hub, method, path, payload, auth('not-a-key-at-all-000000'))).status,
        401,
        `${method} ${path} wrong token`,
      );
      const forbidden = await api(hub, method, path, payload, auth(lacking));
      assert.equal(forbidden.status, 403, `${method} ${path} lacking scope`);
      assert.equal(forbidden.body.error.code, 'forbidden');
      const ok = await api(hub, method, path, payload, auth(allowed));
      assert.ok(ok.status !== 401 && ok.status !== 403, `${method} ${path} with the scope: ${ok.status}`);
    }
    assert.equal((await api(hub, 'GET', '/health')).status, 200, 'health stays open for probes');
  });

  it('protect /mcp with 401 and WWW-Authenticate, and never forward the caller token to a spoke', async (t) => {
    const hub = await hubWithKeys(t);
    const spoke = await startTestSpoke(t);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('fwd-1', 'testspoke', spoke.port, [{ name: 'echo', input_schema: { type: 'object' } }]),
      auth(KEYS.spoke),
    );
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const denied = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(init),
    });
    assert.equal(denied.status, 401);
    assert.match(denied.headers.get('www-authenticate') ?? '', /^Bearer /);
    const allowed = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...auth(KEYS.agent),
      },
      body: JSON.stringify(init),
    });
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    const call = await api(
      hub,
      'POST',
      '/api/v1/tools/echo/execute',
      { arguments: { text: 'secret?' } },
      auth(KEYS.agent),
    );
    assert.equal(call.body.status, 'success');
    assert.ok(spoke.log.headers.length > 0);
    for (const headers of spoke.log.headers)
      assert.equal(headers.authorization, undefined, 'the caller token never reaches the spoke');
  });

  it('refuses to start beyond loopback without keys unless explicitly allowed', async () => {
    await assert.rejects(startTestHub(undefined, { host: '0.0.0.0' }), /no API keys are configured/);
  });
});

describe('rate limits', () => {
  it('answer 429 with Retry-After past the limit, per key', async (t) => {
    const hub = await hubWithKeys(t, { rateLimit: { registryWritesPerMinute: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await api(hub, 'PUT', '/api/v1/services/x/heartbeat', undefined, auth(KEYS.spoke))).status,
      );
    assert.deepEqual(statuses, [404, 404, 404, 429]);
    const limited = await api(hub, 'PUT', '/api/v1/services/x/heartbeat', undefined, auth(KEYS.spoke));
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // The admin key has its own budget.
    assert.equal(
      (await api(hub, 'PUT', '/api/v1/services/x/heartbeat', undefined, auth(KEYS.admin))).status,
      404,
    );
  });
});
