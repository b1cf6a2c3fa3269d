import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ProtocolError } from '@modelcontextprotocol/client';
import type { ListChangedBroadcaster } from '../../src/mcp/list-changed-broadcaster.js';
import { openStdioFront } from '../../src/mcp/stdio-front.js';
import { connectHttp, withoutHubTools } from '../helpers/mcp-client.js';
import { connectModernClient, connectModernHttp, StreamPairTransport } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

const MODERN = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One 2026-07-28 POST as a hand-written client sends it: routing headers mirror the body. */
function modernPost(hub: Hub, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${hub.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': String(body.method),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...body }),
  });
}

async function registerTestSpoke(hub: Hub, id: string, port: number) {
  const res = await api(
    hub,
    'POST',
    '/api/v1/services/register',
    registration(id, 'eraspoke', port, ['echo', 'slow', 'hold']),
  );
  assert.equal(res.status, 200);
}

describe(`both MCP protocol eras on one endpoint, on the ${TEST_DB} database`, () => {
  it('serves a 2026-07-28 client over HTTP without a session: list, call, progress, history', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerTestSpoke(hub, 'era-1', spoke.port);
    const { client } = await connectModernHttp(t, hub.url!);
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), MODERN);
    const tools = withoutHubTools((await client.listTools()).tools);
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['echo', 'hold', 'slow']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
    assert.deepEqual(result.structuredContent, { text: 'modern' });
    const progress: number[] = [];
    const slow = await client.callTool(
      { name: 'slow', arguments: { ms: 100 } },
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    assert.deepEqual(slow.structuredContent, { waited: 100 });
    assert.deepEqual(progress, [1, 2, 3, 4]);
    await assert.rejects(
      client.callTool({ name: 'nope', arguments: {} }),
      (error: unknown) => error instanceof ProtocolError && error.code === -32602,
    );
    assert.equal(hub.sessions, 0, 'the modern era holds no session');
    await hub.history.drain();
    const rows = await api(hub, 'GET', '/api/v1/executions?tool=echo');
    assert.equal(rows.body.items.length, 1);
    assert.equal(rows.body.items[0].status, 'success');
  });

  it('lets a 2026-07-28 client cancel a call, and the spoke sees it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerTestSpoke(hub, 'era-2', spoke.port);
    const { client } = await connectModernHttp(t, hub.url!);
    const controller = new AbortController();
    const held = client.callTool({ name: 'hold', arguments: {} }, { signal: controller.signal });
    await waitFor(() => spoke.held === 1, 'the held call reached the spoke');
    controller.abort('user cancelled');
    await assert.rejects(held);
    await waitFor(() => spoke.log.cancelled.length === 1, 'the spoke saw the cancellation');
    await hub.history.drain();
    await waitFor(
      async () => (await api(hub, 'GET', '/api/v1/executions?status=cancelled')).body.items.length === 1,
      'the cancelled call has its history row',
    );
  });

  it('tells a 2026-07-28 client on subscriptions/listen that the tool list changed', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const session = await connectModernHttp(t, hub.url!);
    assert.deepEqual(withoutHubTools((await session.client.listTools()).tools), []);
    await registerTestSpoke(hub, 'era-3', spoke.port);
    await waitFor(() => session.listChanged >= 1, 'list_changed on the listen stream');
    assert.equal(withoutHubTools((await session.client.listTools()).tools).length, 3);
  });

  it('answers the revision rules: server/discover, resultType and cache fields, header mismatch, unsupported version', async (t) => {
    const hub = await startTestHub(t);
    const discover = await modernPost(hub, { method: 'server/discover', params: { _meta: ENVELOPE } });
    assert.equal(discover.status, 200);
    const discovered = (await discover.json()) as { result: Record<string, any> };
    assert.ok(discovered.result.supportedVersions.includes(MODERN));
    assert.equal(discovered.result._meta['io.modelcontextprotocol/serverInfo'].name, 'fin-hub');
    assert.ok(discovered.result.capabilities.tools);

    const list = await modernPost(hub, { method: 'tools/list', params: { _meta: ENVELOPE } });
    const listed = (await list.json()) as { result: Record<string, unknown> };
    assert.equal(list.headers.get('mcp-session-id'), null);
    assert.equal(listed.result.resultType, 'complete');
    assert.equal(listed.result.cacheScope, 'private');
    assert.equal(typeof listed.result.ttlMs, 'number');

    // The Mcp-Method header must mirror the body.
    const mismatch = await modernPost(
      hub,
      { method: 'tools/list', params: { _meta: ENVELOPE } },
      { 'mcp-method': 'tools/call' },
    );
    assert.equal(mismatch.status, 400);
    assert.equal(((await mismatch.json()) as { error: { code: number } }).error.code, -32020);

    // A revision the hub does not speak names the ones it does.
    const future = { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' };
    const unsupported = await modernPost(
      hub,
      { method: 'tools/list', params: { _meta: future } },
      { 'mcp-protocol-version': '2099-01-01' },
    );
    assert.equal(unsupported.status, 400);
    const refused = (await unsupported.json()) as { error: { code: number; data: { supported: string[] } } };
    assert.equal(refused.error.code, -32022);
    assert.deepEqual(refused.error.data.supported, [MODERN]);

    // A session-less request of the handshake era is still told to initialize first.
    const legacy = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(legacy.status, 400);
    const told = (await legacy.json()) as { error: { code: number; message: string } };
    assert.equal(told.error.code, -32000);
    assert.match(told.error.message, /Mcp-Session-Id/);
  });

  it('answers a plain 2026-07-28 tools/call on its fast path exactly as the SDK answers it, and leaves the rest to the SDK', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerTestSpoke(hub, 'era-6', spoke.port);
    const params = { name: 'echo', arguments: { text: 'same' }, _meta: ENVELOPE };
    const call = (extra: Record<string, unknown>, headers: Record<string, string> = {}) =>
      modernPost(
        hub,
        { method: 'tools/call', params: { ...params, ...extra } },
        { 'mcp-name': 'echo', ...headers },
      );
    const fast = await call({});
    assert.equal(fast.status, 200);
    assert.equal(fast.headers.get('mcp-session-id'), null);
    // A request naming a log level is the SDK's to serve (it filters log messages by it).
    const viaSdk = await call({ _meta: { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'debug' } });
    assert.equal(viaSdk.status, 200);
    const [fastBody, sdkBody] = [(await fast.json()) as any, (await viaSdk.json()) as any];
    assert.deepEqual(fastBody.result, sdkBody.result);
    assert.equal(fastBody.result.resultType, 'complete');
    assert.deepEqual(fastBody.result.structuredContent, { text: 'same' });
    assert.equal(spoke.log.count('echo'), 2);

    // What the fast path does not take, the SDK refuses by the revision's rules.
    const noName = await modernPost(hub, { method: 'tools/call', params });
    assert.equal(noName.status, 400);
    assert.equal(((await noName.json()) as any).error.code, -32020);
    const noCapabilities = await call({
      _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN },
    });
    assert.equal(noCapabilities.status, 400);
    assert.equal(((await noCapabilities.json()) as any).error.code, -32602);
    assert.equal(spoke.log.count('echo'), 2, 'refused calls never reach the spoke');
  });

  it('serves handshake-era clients (SDK v1, and SDK v2 pinned to legacy) beside modern ones', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerTestSpoke(hub, 'era-4', spoke.port);
    const v1 = await connectHttp(t, hub.url!);
    const v2legacy = await connectModernHttp(t, hub.url!, { mode: 'legacy' });
    const v2modern = await connectModernHttp(t, hub.url!);
    assert.equal(v2legacy.client.getProtocolEra(), 'legacy');
    assert.equal(v2legacy.client.getNegotiatedProtocolVersion(), '2025-11-25');
    for (const client of [v1.client, v2legacy.client, v2modern.client]) {
      const result = await client.callTool({ name: 'echo', arguments: { text: 'any era' } });
      assert.deepEqual(result.structuredContent, { text: 'any era' });
    }
    assert.equal(hub.sessions, 2, 'one session per handshake-era client, none for the modern one');
  });

  it('serves both eras over stdio: the opening message picks the era', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerTestSpoke(hub, 'era-5', spoke.port);
    const noBroadcast = { add() {}, delete() {} } as unknown as ListChangedBroadcaster;
    for (const mode of ['auto', 'legacy'] as const) {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const front = openStdioFront({ version: 'test', pageSize: 100, onEnd: () => {}, stdin, stdout });
      t.after(() => front.close());
      front.attach({ routing: hub.routing, engine: hub.engine, surface: hub.surface }, noBroadcast);
      const { client } = await connectModernClient(t, new StreamPairTransport(stdin, stdout), { mode });
      assert.equal(client.getProtocolEra(), mode === 'auto' ? 'modern' : 'legacy');
      assert.equal(withoutHubTools((await client.listTools()).tools).length, 3);
      const result = await client.callTool({ name: 'echo', arguments: { text: `stdio ${mode}` } });
      assert.deepEqual(result.structuredContent, { text: `stdio ${mode}` });
    }
  });
});
