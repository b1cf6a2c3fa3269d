// The tools/call hot path: the hub's direct answer on the MCP front, the raw JSON-RPC upstream leg
// against spokes that misbehave, and history rows for values PostgreSQL cannot store as they are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSession as openRawSession } from '../../bench/load.js';
import { startRawSpoke } from '../helpers/raw-spoke.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

// The same raw initialize + initialized exchange the benchmark drives.
const openSession = (hub: Hub) => openRawSession(`${hub.url}/mcp`);

async function register(hub: Hub, id: string, port: number, tools: unknown[]) {
  const res = await api(hub, 'POST', '/api/v1/services/register', {
    service_id: id,
    service_name: id,
    address: '127.0.0.1',
    port,
    tools,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

describe(`the tools/call hot path on the ${TEST_DB} database`, () => {
  it('answers a session tools/call as one JSON body, and as an event stream once progress goes first', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'svc', spoke.port, [
      { name: 'echo', input_schema: { type: 'object' } },
      { name: 'slow', input_schema: { type: 'object' } },
    ]);
    const headers = await openSession(hub);
    const plain = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'x-correlation-id': 'hot-path-1' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'straight' } },
      }),
    });
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(plain.headers.get('mcp-session-id'), headers['mcp-session-id']);
    const body = await plain.json();
    assert.equal(body.id, 7);
    assert.match(body.result.content[0].text, /straight/);
    // The correlation id reached the spoke with the call.
    assert.ok(spoke.log.headers.some((h) => h['x-correlation-id'] === 'hot-path-1'));

    const streamed = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'p1',
        method: 'tools/call',
        params: { name: 'slow', arguments: { ms: 60 }, _meta: { progressToken: 'tok' } },
      }),
    });
    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await streamed.text())
      .split('\n\n')
      .filter((e) => e.startsWith('event: message'))
      .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
    const progress = events.filter((e) => e.method === 'notifications/progress');
    assert.ok(progress.length > 0, 'progress arrived before the answer');
    assert.ok(progress.every((p) => p.params.progressToken === 'tok'));
    assert.equal(events[events.length - 1].id, 'p1');
    assert.ok(events[events.length - 1].result, 'the last event is the answer');
  });

  it('answers a session POST that is not JSON with a JSON-RPC parse error, and a caller past its limit with 429', async (t) => {
    const hub = await startTestHub(t, { rateLimit: { toolCallsPerMinute: 6 } });
    const spoke = await startTestSpoke(t);
    await register(hub, 'svc', spoke.port, [{ name: 'echo', input_schema: { type: 'object' } }]);
    const headers = await openSession(hub);
    const broken = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers,
      body: '{"jsonrpc": "2.0", "id": 1,',
    });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).error.code, -32700);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${hub.url}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: i + 10,
          method: 'tools/call',
          params: { name: 'echo', arguments: {} },
        }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.text();
    }
    assert.ok(statuses.includes(200) && statuses.includes(429), statuses.join(','));
    assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
  });

  it('turns a spoke that answers garbage, too much or the wrong shape into a clear failed call', async (t) => {
    const hub = await startTestHub(t, { engine: { maxResultBytes: 2000, defaultRetryAttempts: 0 } });
    const cases: [string, (res: import('node:http').ServerResponse, id: unknown) => void, RegExp][] = [
      [
        'garbage',
        (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{not json'),
        /invalid JSON/,
      ],
      [
        'huge',
        (res, id) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              jsonrpc: '2.0',
              id,
              result: { content: [{ type: 'text', text: 'x'.repeat(5000) }] },
            }),
          ),
        /larger than 2000 bytes/,
      ],
      [
        'shape',
        (res, id) =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ jsonrpc: '2.0', id, result: { content: 'not a list' } })),
        /not a CallToolResult/,
      ],
      [
        'stranger',
        (res) =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ jsonrpc: '2.0', id: 'someone-else', result: { content: [] } })),
        /another request/,
      ],
      [
        'html',
        (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'),
        /unexpected content type/,
      ],
    ];
    for (const [name, answer, expected] of cases) {
      const port = await startRawSpoke(t, answer);
      await register(hub, name, port, [{ name: `${name}_tool`, input_schema: { type: 'object' } }]);
      const res = await api(hub, 'POST', `/api/v1/tools/${name}_tool/execute`, { arguments: {} });
      assert.equal(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.status, 'error', name);
      assert.match(res.body.error.message, expected, name);
    }
    // Every call was answered and every answered call has its row.
    await hub.history.drain();
    assert.equal(await hub.executions.count(), cases.length);
    assert.equal((await api(hub, 'GET', '/health')).status, 200);
  });

  it('keeps history rows whose arguments PostgreSQL cannot store as they are', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'svc', spoke.port, [{ name: 'echo', input_schema: { type: 'object' } }]);
    const nul = await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'a\u0000b' } });
    const surrogate = await api(hub, 'POST', '/api/v1/tools/echo/execute', {
      arguments: { text: 'x\ud800y' },
    });
    const plain = await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'fine' } });
    for (const res of [nul, surrogate, plain])
      assert.equal(res.body.status, 'success', JSON.stringify(res.body));
    const stored = async (id: string) => (await api(hub, 'GET', `/api/v1/executions/${id}`)).body;
    const nulRow = await stored(nul.body.execution_id);
    assert.equal(nulRow.status, 'success');
    assert.equal(nulRow.arguments.text, 'a\ufffdb');
    const surrogateRow = await stored(surrogate.body.execution_id);
    assert.equal(surrogateRow.status, 'success');
    assert.match(
      String(surrogateRow.arguments['fin-hub/unstorable']),
      /invalid input syntax for type json: Unicode low surrogate/,
    );
    assert.equal((await stored(plain.body.execution_id)).arguments.text, 'fine');
  });
});
