import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSession } from '../../bench/load.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

const valid = registration('hostile-1', 'hostile', 9400, ['hostile_tool']);
const deepJson = (n: number) => `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}`;

/** [title, method, path, body (string = raw), headers, expected status, expected code] */
const CASES: [string, string, string, unknown, Record<string, string>, number, string][] = [
  [
    'service_id of the wrong type',
    'POST',
    '/api/v1/services/register',
    { ...valid, service_id: 42 },
    {},
    400,
    'validation_failed',
  ],
  [
    'missing service_name',
    'POST',
    '/api/v1/services/register',
    { ...valid, service_name: undefined },
    {},
    400,
    'validation_failed',
  ],
  [
    'missing address',
    'POST',
    '/api/v1/services/register',
    { ...valid, address: undefined },
    {},
    400,
    'validation_failed',
  ],
  [
    'a U+0000 in a registration string',
    'POST',
    '/api/v1/services/register',
    { ...valid, tags: ['a\u0000b'] },
    {},
    400,
    'validation_failed',
  ],
  [
    'a lone surrogate in a tool description',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: [{ name: 'hostile_tool', description: 'x\ud800y' }] },
    {},
    400,
    'validation_failed',
  ],
  [
    'port as a string',
    'POST',
    '/api/v1/services/register',
    { ...valid, port: '80' },
    {},
    400,
    'validation_failed',
  ],
  [
    'port out of range',
    'POST',
    '/api/v1/services/register',
    { ...valid, port: 70000 },
    {},
    400,
    'validation_failed',
  ],
  [
    'negative weight',
    'POST',
    '/api/v1/services/register',
    { ...valid, weight: -1 },
    {},
    400,
    'validation_failed',
  ],
  [
    'ttl too short',
    'POST',
    '/api/v1/services/register',
    { ...valid, ttl_seconds: 1 },
    {},
    400,
    'validation_failed',
  ],
  [
    'service_id with spaces',
    'POST',
    '/api/v1/services/register',
    { ...valid, service_id: 'a b' },
    {},
    400,
    'validation_failed',
  ],
  [
    'huge service_id',
    'POST',
    '/api/v1/services/register',
    { ...valid, service_id: 'x'.repeat(10_000) },
    {},
    400,
    'validation_failed',
  ],
  [
    'huge description',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: [{ name: 'd', description: 'x'.repeat(100_000) }] },
    {},
    400,
    'validation_failed',
  ],
  [
    'tool name with a slash',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: [{ name: 'a/b' }] },
    {},
    400,
    'validation_failed',
  ],
  [
    'tool schema that is not an object schema',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: [{ name: 'a', input_schema: { type: 'string' } }] },
    {},
    400,
    'validation_failed',
  ],
  [
    'tools not an array',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: 'everything' },
    {},
    400,
    'validation_failed',
  ],
  [
    'duplicate tool names',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: [{ name: 'a' }, { name: 'a' }] },
    {},
    400,
    'validation_failed',
  ],
  [
    'no tools and no mcp_url',
    'POST',
    '/api/v1/services/register',
    { ...valid, tools: undefined },
    {},
    400,
    'validation_failed',
  ],
  [
    'mcp_url with a file scheme',
    'POST',
    '/api/v1/services/register',
    { ...valid, mcp_url: 'file:///etc/passwd' },
    {},
    400,
    'validation_failed',
  ],
  ['body is an array', 'POST', '/api/v1/services/register', [valid], {}, 400, 'validation_failed'],
  ['body is a JSON string', 'POST', '/api/v1/services/register', '"hello"', {}, 400, 'malformed_json'],
  ['invalid JSON', 'POST', '/api/v1/services/register', '{"service_id": ', {}, 400, 'malformed_json'],
  [
    'wrong content type',
    'POST',
    '/api/v1/services/register',
    'service_id=x',
    { 'content-type': 'application/x-www-form-urlencoded' },
    415,
    'unsupported_media_type',
  ],
  [
    'text body',
    'POST',
    '/api/v1/services/register',
    'hello',
    { 'content-type': 'text/plain' },
    415,
    'unsupported_media_type',
  ],
  [
    '2 MiB body',
    'POST',
    '/api/v1/services/register',
    { ...valid, meta: { blob: 'x'.repeat(2 * 1024 * 1024) } },
    {},
    413,
    'payload_too_large',
  ],
  ['deeply nested body', 'POST', '/api/v1/services/register', deepJson(5000), {}, 400, 'validation_failed'],
  ['unknown service', 'GET', '/api/v1/services/nope', undefined, {}, 404, 'service_not_found'],
  ['unknown tool', 'GET', '/api/v1/tools/nope', undefined, {}, 404, 'tool_not_found'],
  ['unknown execution', 'GET', '/api/v1/executions/nope', undefined, {}, 404, 'execution_not_found'],
  ['deregister unknown', 'POST', '/api/v1/services/nope/deregister', undefined, {}, 404, 'service_not_found'],
  [
    'execute unknown tool',
    'POST',
    '/api/v1/tools/nope/execute',
    { arguments: {} },
    {},
    404,
    'tool_not_found',
  ],
  [
    'execute with arguments not an object',
    'POST',
    '/api/v1/tools/hostile_tool/execute',
    { arguments: [1, 2] },
    {},
    400,
    'validation_failed',
  ],
  ['limit zero', 'GET', '/api/v1/services?limit=0', undefined, {}, 400, 'validation_failed'],
  ['limit not a number', 'GET', '/api/v1/services?limit=lots', undefined, {}, 400, 'validation_failed'],
  ['forged cursor', 'GET', '/api/v1/services?cursor=bm9wZQ', undefined, {}, 400, 'validation_failed'],
  ['healthy not a boolean', 'GET', '/api/v1/services?healthy=maybe', undefined, {}, 400, 'validation_failed'],
  [
    'bad execution status filter',
    'GET',
    '/api/v1/executions?status=done',
    undefined,
    {},
    400,
    'validation_failed',
  ],
  ['bad since date', 'GET', '/api/v1/executions?since=yesterday', undefined, {}, 400, 'validation_failed'],
  ['unknown route', 'GET', '/api/v1/nothing-here', undefined, {}, 404, 'not_found'],
  [
    'service id with a slash-like encoded char',
    'GET',
    '/api/v1/services/a%2Fb',
    undefined,
    {},
    400,
    'validation_failed',
  ],
];

describe('hostile and malformed requests', () => {
  it(`get the expected 4xx and the error shape (${CASES.length} cases), and the hub stays up`, async (t) => {
    const hub = await startTestHub(t);
    assert.equal((await api(hub, 'POST', '/api/v1/services/register', valid)).status, 200);
    for (const [title, method, path, body, headers, status, code] of CASES) {
      const res = await api(hub, method, path, body, headers);
      assert.equal(
        res.status,
        status,
        `${title}: status ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
      );
      assert.equal(res.body?.error?.code, code, `${title}: code`);
      assert.equal(typeof res.body.error.message, 'string', `${title}: message`);
      if (status === 400 && code === 'validation_failed') {
        assert.ok(
          Array.isArray(res.body.error.details) && res.body.error.details[0].path,
          `${title}: details name the field path`,
        );
      }
    }
    const health = await api(hub, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal((await api(hub, 'GET', '/api/v1/services/hostile-1')).status, 200, 'nothing was lost');
  });

  /**
   * /mcp bodies inside a live session, each sent both ways in (the raw fast path, and through
   * express — X-Forwarded-For routes a request there). Expected: a 4xx or a JSON-RPC error or an
   * isError result, never a 5xx; the session and the hub keep working; rows = calls answered.
   */
  const call = (id: unknown, params: unknown) =>
    `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":${JSON.stringify(params)}}`;
  const MCP_CASES: [string, string][] = [
    ['not JSON', '{"jsonrpc":"2.0",'],
    ['a JSON string', '"tools/call"'],
    ['an empty batch', '[]'],
    ['a batch of calls', `[${call(1, { name: 'echo', arguments: { text: 'a' } })}]`],
    ['no jsonrpc member', '{"id":1,"method":"tools/call","params":{"name":"echo"}}'],
    ['params of the wrong type', '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":"echo"}'],
    ['a name of the wrong type', call(3, { name: 42 })],
    ['arguments as an array', call(4, { name: 'echo', arguments: [1, 2] })],
    ['arguments failing the schema', call(5, { name: 'echo', arguments: { text: 7 } })],
    ['an unknown tool', call(6, { name: 'no_such_tool', arguments: {} })],
    ['an id of the wrong type', call({ x: 1 }, { name: 'echo', arguments: { text: 'a' } })],
    ['an id JSON cannot keep', '{"jsonrpc":"2.0","id":1e400,"method":"tools/call","params":{"name":"echo"}}'],
    [
      'arguments nested 200 deep',
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":${deepJson(200)}}}`,
    ],
    ['an unknown method', '{"jsonrpc":"2.0","id":8,"method":"tools/explode","params":{}}'],
    ['a response nobody asked for', '{"jsonrpc":"2.0","id":"fh-999","result":{}}'],
    ['a NUL in the arguments', call(9, { name: 'echo', arguments: { text: 'a\u0000b' } })],
    ['a lone surrogate in the arguments', call(10, { name: 'echo', arguments: { text: 'x\ud800y' } })],
    ['a huge string argument', call(11, { name: 'echo', arguments: { text: 'x'.repeat(500_000) } })],
  ];

  it(`answer ${MCP_CASES.length} hostile /mcp bodies on both paths without a 5xx, and keep every answered call's row`, async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    assert.equal(
      (
        await api(
          hub,
          'POST',
          '/api/v1/services/register',
          registration('fuzz-1', 'fuzz', spoke.port, ['echo']),
        )
      ).status,
      200,
    );
    const headers = await openSession(`${hub.url}/mcp`);
    let answeredCalls = 0;
    for (const [title, body] of MCP_CASES) {
      for (const extra of [{}, { 'x-forwarded-for': '127.0.0.1' }] as Record<string, string>[]) {
        const res = await fetch(`${hub.url}/mcp`, {
          method: 'POST',
          headers: { ...headers, ...extra },
          body,
        });
        const text = await res.text();
        const via = extra['x-forwarded-for'] ? 'express' : 'fast path';
        assert.ok(res.status < 500, `${title} (${via}): HTTP ${res.status} ${text.slice(0, 200)}`);
        if (res.status === 200 && text.includes('"result"') && text.includes('"content"')) answeredCalls++;
      }
    }
    // The session still works, and every tools/call the hub answered with a result has its row.
    const after = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers,
      body: call(99, { name: 'echo', arguments: { text: 'still fine' } }),
    });
    assert.match(await after.text(), /still fine/);
    await hub.history.drain();
    assert.equal(await hub.executions.count(), answeredCalls + 1);
    assert.equal((await api(hub, 'GET', '/health')).status, 200);
  });
});
