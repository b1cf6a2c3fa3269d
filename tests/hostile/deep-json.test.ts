// Failure injection (issue: one spoke answer must never take the hub down): JSON nested far past
// any sane depth, from a spoke, from a caller over /mcp (both of its paths) and over stdio, and
// JSON-RPC ids JSON.parse cannot keep. After each, the hub still answers and rows = calls answered.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { openSession } from '../../bench/load.js';
import type { ListChangedBroadcaster } from '../../src/mcp/list-changed-broadcaster.js';
import { openStdioFront } from '../../src/mcp/stdio-front.js';
import { startRawSpoke } from '../helpers/raw-spoke.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** `{"a":{"a":…}}` nested `depth` levels, built as text (building it as a value would recurse). */
function deepJsonText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Every accepted call has its row, and the outbox is empty: nothing is stuck or lost. */
async function assertRowsEqualAnswers(hub: Hub, answered: number): Promise<void> {
  await hub.history.drain();
  assert.equal(hub.history.depth, 0, 'the outbox is empty');
  assert.equal(await hub.executions.count(), answered, 'one history row per accepted call');
}

async function mcpPost(
  hub: Hub,
  headers: Record<string, string>,
  body: string,
  extra: Record<string, string> = {},
) {
  const res = await fetch(`${hub.url}/mcp`, { method: 'POST', headers: { ...headers, ...extra }, body });
  const text = await res.text();
  const payload = text.startsWith('event:') ? text.split('data: ').pop()!.trim() : text;
  return { status: res.status, body: JSON.parse(payload) };
}

describe(`hostile JSON on the ${TEST_DB} database`, () => {
  it('turns a spoke answer nested 6,000 deep into a failed call and stays up for everyone', async (t) => {
    // A high breaker threshold keeps every call reaching the spoke (the breaker is not what is tested).
    const hub = await startTestHub(t, { engine: { defaultRetryAttempts: 0, breakerFailureThreshold: 100 } });
    const port = await startRawSpoke(t, (res, id) => {
      const result = `{"content":[],"structuredContent":${deepJsonText(6000)}}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`);
    });
    await api(hub, 'POST', '/api/v1/services/register', registration('deep-1', 'deep', port, ['deep_tool']));
    const headers = await openSession(`${hub.url}/mcp`);
    for (let i = 0; i < 5; i++) {
      const call = JSON.stringify({
        jsonrpc: '2.0',
        id: i + 1,
        method: 'tools/call',
        params: { name: 'deep_tool', arguments: {} },
      });
      const answer = await mcpPost(hub, headers, call);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.id, i + 1);
      assert.equal(answer.body.result.isError, true);
      assert.match(answer.body.result.content[0].text, /nested deeper than 64 levels/);
      const rest = await api(hub, 'POST', '/api/v1/tools/deep_tool/execute', { arguments: {} });
      assert.equal(rest.body.status, 'error');
    }
    assert.equal((await api(hub, 'GET', '/health')).status, 200);
    await assertRowsEqualAnswers(hub, 10);
  });

  it('refuses tools/call arguments nested 5,000 deep over /mcp, on the fast path and through express', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('ok-1', 'ok', spoke.port, ['echo']));
    const headers = await openSession(`${hub.url}/mcp`);
    const deepCall = `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":${deepJsonText(5000)}}}`;
    // X-Forwarded-For sends the request through express instead of the raw front.
    for (const extra of [{}, { 'x-forwarded-for': '127.0.0.1' }] as Record<string, string>[]) {
      const refused = await mcpPost(hub, headers, deepCall, extra);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, -32600);
      assert.match(refused.body.error.message, /nested deeper than 64 levels/);
    }
    const fine = await mcpPost(
      hub,
      headers,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 10,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'ok' } },
      }),
    );
    assert.deepEqual(fine.body.result.structuredContent, { text: 'ok' });
    await assertRowsEqualAnswers(hub, 1);
  });

  it('refuses ids JSON.parse cannot keep (1e400, 2^64 + 1) instead of answering another id', async (t) => {
    const hub = await startTestHub(t);
    const headers = await openSession(`${hub.url}/mcp`);
    for (const id of ['1e400', '18446744073709551617']) {
      const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{}}}`;
      for (const extra of [{}, { 'x-forwarded-for': '127.0.0.1' }] as Record<string, string>[]) {
        const refused = await mcpPost(hub, headers, body, extra);
        assert.equal(refused.status, 400, id);
        assert.equal(refused.body.error.code, -32600);
        assert.equal(refused.body.id, null);
      }
    }
  });

  it('answers deep arguments over stdio with -32600 for the same id, and keeps serving', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('ok-1', 'ok', spoke.port, ['echo']));
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const lines: { id?: unknown; result?: any; error?: any }[] = [];
    let buffered = '';
    stdout.on('data', (chunk) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        lines.push(JSON.parse(buffered.slice(0, end)));
        buffered = buffered.slice(end + 1);
      }
    });
    const front = openStdioFront({ version: 'test', pageSize: 100, onEnd: () => {}, stdin, stdout });
    t.after(() => front.close());
    const noBroadcast = { add() {}, delete() {} } as unknown as ListChangedBroadcaster;
    front.attach({ routing: hub.routing, engine: hub.engine, surface: hub.surface }, noBroadcast);
    const send = (text: string) => stdin.write(`${text}\n`);
    const answerTo = async (id: number) => {
      await waitFor(() => lines.some((l) => l.id === id), `the answer to ${id}`);
      return lines.find((l) => l.id === id)!;
    };
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    );
    await answerTo(1);
    send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    send(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":${deepJsonText(5000)}}}`,
    );
    const refused = await answerTo(2);
    assert.equal(refused.error.code, -32600);
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'still here' } },
      }),
    );
    assert.deepEqual((await answerTo(3)).result.structuredContent, { text: 'still here' });
    await assertRowsEqualAnswers(hub, 1);
  });

  it('stores what it can of a record JSON cannot hold, and never retries one for ever', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('ok-1', 'ok', spoke.port, ['echo']));
    const fine = await hub.engine.execute({ tool: 'echo', arguments: { text: 'x' } });
    // Values no entry path lets in, handed to the history as a bug elsewhere might: a BigInt, a
    // cycle, and nesting deeper than PostgreSQL's jsonb takes.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 3000; i++) deep = { a: deep };
    for (const [n, value] of [{ big: 10n }, cyclic, deep].entries()) {
      hub.history.add({
        ...fine,
        execution_id: `${fine.execution_id}-${n}`,
        arguments: value as Record<string, unknown>,
      });
    }
    await assertRowsEqualAnswers(hub, 4);
    for (const n of [0, 1]) {
      const row = (await api(hub, 'GET', `/api/v1/executions/${fine.execution_id}-${n}`)).body;
      assert.match(String(row.arguments['fin-hub/unstorable']), /not serialisable/);
    }
  });
});
