import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { startScriptedMcpServer } from '../helpers/scripted-mcp-server.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

const TOKEN = 'Bearer upstream-s3cret-7f1c9a';
const CALLER_KEY = 'caller-key-0123456789abcdef';
const SECRET_KEY = 'hub-secret-key-for-tests-only';

const registration = (port: number, mcpUrl: string, headers?: Record<string, string>) => ({
  service_id: 'guarded-1',
  service_name: 'guarded',
  address: '127.0.0.1',
  port,
  mcp_url: mcpUrl,
  ...(headers ? { upstream_headers: headers } : {}),
});

describe(`credentials for upstreams that need a token, on the ${TEST_DB} database`, () => {
  it('stores them sealed, uses them on every request, and never shows or logs them', async (t) => {
    const logger = createCaptureLogger();
    const hub = await startTestHub(
      t,
      {
        secretKey: SECRET_KEY,
        logLevel: 'debug',
        auth: {
          keys: [
            {
              name: 'caller',
              key: CALLER_KEY,
              scopes: ['registry:write', 'registry:read', 'tools:call', 'admin'],
            },
          ],
        },
      },
      { logger },
    );
    const auth = { authorization: `Bearer ${CALLER_KEY}` };
    const server = await startScriptedMcpServer(
      t,
      [{ name: 'guarded_tool', inputSchema: { type: 'object' } }],
      {
        requireAuthorization: TOKEN,
      },
    );

    // Without them the server refuses, and the registration says so.
    const refused = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration(server.port, server.mcpUrl),
      auth,
    );
    assert.equal(refused.status, 502);
    assert.match(refused.body.error.message, /401/);

    const res = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration(server.port, server.mcpUrl, { Authorization: TOKEN }),
      auth,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.upstream_credentials, true);
    const { client } = await connectHttp(t, `${hub.url}`, {}, { headers: auth });
    const called = await client.callTool({ name: 'guarded_tool', arguments: {} });
    assert.equal((called.content as { text: string }[])[0]!.text, 'called guarded_tool');
    await hub.health.checkNow('guarded-1');
    const shown = await api(hub, 'GET', '/api/v1/services/guarded-1', undefined, auth);
    assert.equal(shown.body.is_healthy, true);
    assert.equal(shown.body.upstream_headers_sealed, undefined);

    // The upstream saw the hub's credentials only, never the caller's own key.
    assert.ok(server.authorizations.length >= 3);
    assert.ok(server.authorizations.every((a) => a === TOKEN || a === undefined));

    // Nowhere to be read: no API answer, no log line, and not in clear in the database.
    await hub.history.drain();
    for (const path of [
      '/api/v1/services',
      '/api/v1/services/guarded-1',
      '/api/v1/tools',
      '/api/v1/executions',
      '/api/v1/audit',
    ]) {
      const body = JSON.stringify((await api(hub, 'GET', path, undefined, auth)).body);
      assert.ok(!body.includes('s3cret'), `${path} does not show the token`);
    }
    assert.ok(
      logger.lines.some((line) => line.includes('guarded-1')),
      'the hub logged about the service (registry writes)',
    );
    assert.ok(!logger.lines.some((line) => line.includes('s3cret')), 'no log line has the token');
    const row = await hub.database.db
      .selectFrom('services')
      .select('upstream_headers_sealed')
      .where('service_id', '=', 'guarded-1')
      .executeTakeFirstOrThrow();
    assert.ok(row.upstream_headers_sealed?.startsWith('v1.'));
    assert.ok(!row.upstream_headers_sealed!.includes('s3cret'));
  });

  it('uses rotated credentials from the next call on: the connection opened with the old ones is replaced', async (t) => {
    const hub = await startTestHub(t, {
      secretKey: SECRET_KEY,
      auth: {
        keys: [
          { name: 'caller', key: CALLER_KEY, scopes: ['registry:write', 'registry:read', 'tools:call'] },
        ],
      },
    });
    const auth = { authorization: `Bearer ${CALLER_KEY}` };
    const guard = { requireAuthorization: TOKEN };
    const server = await startScriptedMcpServer(
      t,
      [{ name: 'guarded_tool', inputSchema: { type: 'object' } }],
      guard,
    );
    const register = async (token: string) => {
      const res = await api(
        hub,
        'POST',
        '/api/v1/services/register',
        // One upstream connection for every caller, the one a rotation must replace; the tools
        // named, so that registering does not list them (which would open a connection itself).
        {
          ...registration(server.port, server.mcpUrl, { Authorization: token }),
          shared_session: true,
          tools: [{ name: 'guarded_tool', input_schema: { type: 'object' } }],
        },
        auth,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    await register(TOKEN);
    const { client } = await connectHttp(t, `${hub.url}`, {}, { headers: auth });
    const call = async () =>
      ((await client.callTool({ name: 'guarded_tool', arguments: {} })).content as { text: string }[])[0]!
        .text;
    assert.equal(await call(), 'called guarded_tool');

    // The server now wants another token, and the registration brings it.
    const ROTATED = 'Bearer upstream-r0tated-44b2e0';
    guard.requireAuthorization = ROTATED;
    await register(ROTATED);
    const before = server.authorizations.length;
    assert.equal(await call(), 'called guarded_tool');
    assert.ok(server.authorizations.length > before);
    assert.ok(
      server.authorizations.slice(before).every((a) => a === ROTATED),
      'every request after the rotation carries the new token',
    );
  });

  it('refuses credentials it cannot seal, with a 400 naming why', async (t) => {
    const hub = await startTestHub(t);
    const server = await startScriptedMcpServer(t, [{ name: 'any_tool', inputSchema: { type: 'object' } }]);
    const noKey = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration(server.port, server.mcpUrl, { Authorization: TOKEN }),
    );
    assert.equal(noKey.status, 400);
    assert.match(noKey.body.error.message, /FIN_HUB_SECRET_KEY/);
    assert.equal((await api(hub, 'GET', '/api/v1/services/guarded-1')).status, 404);
  });

  // A hub of its own: two hubs alive at once on the embedded test database share its one session,
  // and one's TTL sweep could land inside the other's migration.
  it('refuses upstream headers the hub sets itself, with a 400 naming them', async (t) => {
    const server = await startScriptedMcpServer(t, [{ name: 'any_tool', inputSchema: { type: 'object' } }]);
    const keyed = await startTestHub(t, { secretKey: SECRET_KEY });
    const reserved = await api(
      keyed,
      'POST',
      '/api/v1/services/register',
      registration(server.port, server.mcpUrl, { 'Mcp-Session-Id': 'x' }),
    );
    assert.equal(reserved.status, 400);
    assert.match(JSON.stringify(reserved.body.error.details), /upstream_headers/);
    assert.equal((await api(keyed, 'GET', '/api/v1/services/guarded-1')).status, 404);
  });

  it('federates an HTTP server the config file declares with its headers, from the first tools/list', async (t) => {
    const server = await startScriptedMcpServer(
      t,
      [{ name: 'configured_tool', inputSchema: { type: 'object' } }],
      { requireAuthorization: TOKEN },
    );
    const logger = createCaptureLogger();
    const hub = await startTestHub(
      t,
      {
        secretKey: SECRET_KEY,
        logLevel: 'debug',
        services: [{ name: 'crm', url: server.mcpUrl, headers: { Authorization: TOKEN }, namespace: 'crm' }],
      },
      { logger },
    );
    // Registered before the hub serves: no waiting.
    const { client } = await connectHttp(t, hub.url!);
    const { tools } = await client.listTools();
    assert.ok(
      tools.some((tool) => tool.name === 'crm__configured_tool'),
      JSON.stringify(tools.map((x) => x.name)),
    );
    const called = await client.callTool({ name: 'crm__configured_tool', arguments: {} });
    assert.equal((called.content as { text: string }[])[0]!.text, 'called configured_tool');
    const shown = await api(hub, 'GET', '/api/v1/services/config-crm');
    assert.equal(shown.status, 200);
    assert.equal(shown.body.upstream_credentials, true);
    assert.deepEqual(shown.body.tags, ['config']);
    assert.ok(!JSON.stringify(shown.body).includes('s3cret'));
    assert.ok(!logger.lines.some((line) => line.includes('s3cret')), 'no log line has the token');
    assert.ok(server.authorizations.every((a) => a === TOKEN));
  });
});
