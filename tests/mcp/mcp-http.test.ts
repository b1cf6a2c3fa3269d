import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp, listAllTools, withoutHubTools } from '../helpers/mcp-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

async function registerSpokeTools(hub: Hub, id: string, port: number) {
  const res = await api(hub, 'POST', '/api/v1/services/register', {
    service_id: id,
    service_name: 'testspoke',
    address: '127.0.0.1',
    port,
    tools: [
      {
        name: 'echo',
        input_schema: {
          type: 'object',
          properties: { text: { type: 'string' } },
          required: ['text'],
          additionalProperties: false,
        },
        annotations: { readOnlyHint: true },
      },
      {
        name: 'slow',
        input_schema: { type: 'object', properties: { ms: { type: 'integer' } }, required: ['ms'] },
      },
      { name: 'hold', input_schema: { type: 'object' } },
    ],
  });
  assert.equal(res.status, 200);
}

async function initialize(hub: Hub, headers: Record<string, string> = {}) {
  return fetch(`${hub.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

describe(`MCP over streamable HTTP on the ${TEST_DB} database`, () => {
  it('lists and calls a real spoke tool, passing the schema through verbatim', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerSpokeTools(hub, 'mcp-1', spoke.port);
    const { client } = await connectHttp(t, hub.url!);
    const { tools } = await client.listTools();
    const echo = tools.find((tool) => tool.name === 'echo');
    assert.deepEqual(echo?.inputSchema, {
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
      additionalProperties: false,
    });
    assert.deepEqual(echo?.annotations, { readOnlyHint: true });
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    assert.deepEqual(result.structuredContent, { text: 'hello' });
    assert.equal(await client.ping().then(() => 'pong'), 'pong');
  });

  it('answers an unknown tool with JSON-RPC -32602 and invalid arguments with isError naming the path, without calling the spoke', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerSpokeTools(hub, 'mcp-2', spoke.port);
    const { client } = await connectHttp(t, hub.url!);
    await assert.rejects(
      client.callTool({ name: 'nope', arguments: {} }),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams,
    );
    const invalid = await client.callTool({ name: 'echo', arguments: { text: 5 } });
    assert.equal(invalid.isError, true);
    assert.match((invalid.content as { text: string }[])[0]!.text, /\/text/);
    const extra = await client.callTool({ name: 'echo', arguments: { text: 'a', other: 1 } });
    assert.equal(extra.isError, true);
    assert.match((extra.content as { text: string }[])[0]!.text, /\/other/);
    assert.equal(spoke.log.count('echo'), 0, 'invalid arguments never reach the spoke');
  });

  it('sends list_changed after a registration and after a deregistration', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const session = await connectHttp(t, hub.url!);
    await session.client.listTools();
    await registerSpokeTools(hub, 'mcp-3', spoke.port);
    await waitFor(() => session.listChanged >= 1, 'list_changed after registration');
    assert.deepEqual(
      withoutHubTools((await session.client.listTools()).tools)
        .map((x) => x.name)
        .sort(),
      ['echo', 'hold', 'slow'],
    );
    await api(hub, 'POST', '/api/v1/services/mcp-3/deregister');
    await waitFor(() => session.listChanged >= 2, 'list_changed after deregistration');
    assert.deepEqual(withoutHubTools((await session.client.listTools()).tools), []);
  });

  it('pages 1,000 tools, each exactly once', async (t) => {
    const hub = await startTestHub(t, { mcp: { pageSize: 64 } });
    for (let s = 0; s < 10; s++) {
      const tools = Array.from({ length: 100 }, (_, i) => `tool_${s}_${String(i).padStart(3, '0')}`);
      await api(
        hub,
        'POST',
        '/api/v1/services/register',
        registration(`many-${s}`, `many${s}`, 9500 + s, tools),
      );
    }
    const { client } = await connectHttp(t, hub.url!);
    const names = await listAllTools(client);
    assert.equal(names.length, 1000);
    assert.equal(new Set(names).size, 1000);
  });

  it('relays progress only when the caller asked, and cancellation reaches the spoke', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await registerSpokeTools(hub, 'mcp-4', spoke.port);
    const { client } = await connectHttp(t, hub.url!);
    const progress: number[] = [];
    const result = await client.callTool({ name: 'slow', arguments: { ms: 200 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.deepEqual(result.structuredContent, { waited: 200 });
    assert.deepEqual(progress, [1, 2, 3, 4]);
    const controller = new AbortController();
    // A call that only ends when cancelled.
    const cancelled = client.callTool({ name: 'hold', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => spoke.held === 1, 'the held call reached the spoke');
    controller.abort('user cancelled');
    await assert.rejects(cancelled);
    await waitFor(() => spoke.log.cancelled.length === 1, 'the spoke saw the cancellation');
    await hub.history.drain();
    const rows = await api(hub, 'GET', '/api/v1/executions?status=cancelled');
    assert.equal(rows.body.items.length, 1);
  });

  it('expires an abandoned session and answers 404 for it afterwards, 400 without a session', async (t) => {
    const hub = await startTestHub(t, { mcp: { sessionIdleMs: 300 } });
    const response = await initialize(hub);
    assert.equal(response.status, 200);
    const sessionId = response.headers.get('mcp-session-id')!;
    await response.body?.cancel();
    assert.equal(hub.sessions, 1);
    await waitFor(() => hub.sessions === 0, 'the idle sweep');
    const late = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(late.status, 404);
    const missing = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(missing.status, 400);
  });

  it('ends a session on DELETE', async (t) => {
    const hub = await startTestHub(t);
    const response = await initialize(hub);
    const sessionId = response.headers.get('mcp-session-id')!;
    await response.body?.cancel();
    const deleted = await fetch(`${hub.url}/mcp`, {
      method: 'DELETE',
      headers: { 'mcp-session-id': sessionId },
    });
    assert.equal(deleted.status, 200);
    assert.equal(hub.sessions, 0);
  });

  it('refuses a foreign Host or Origin with 403 and an oversized body with a JSON-RPC error', async (t) => {
    const hub = await startTestHub(t, { bodyLimitBytes: 10_000 });
    const badOrigin = await initialize(hub, { origin: 'http://evil.example' });
    assert.equal(badOrigin.status, 403);
    const goodOrigin = await initialize(hub, { origin: 'http://localhost:6274' });
    assert.equal(goodOrigin.status, 200);
    await goodOrigin.body?.cancel();
    // fetch cannot forge Host; use a raw request.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${hub.url}/mcp`,
        { method: 'POST', headers: { host: 'evil.example.com', 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(status, 403);
    const big = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { pad: 'x'.repeat(20_000) },
      }),
    });
    assert.equal(big.status, 413);
    const body = await big.json();
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.error.code, -32600);
    const garbage = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(garbage.status, 400);
    assert.equal((await garbage.json()).error.code, -32700);
  });

  it('accepts every protocol version the SDK supports', async (t) => {
    const hub = await startTestHub(t);
    for (const version of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']) {
      const response = await fetch(`${hub.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'v', version: '1' } },
        }),
      });
      const text = await response.text();
      assert.match(text, new RegExp(`"protocolVersion":"${version}"`), version);
    }
  });
});
