// Failure injection at the upstream leg: a spoke that hangs at initialize, and endpoints whose
// error pages must not reach the caller.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { startRawSpoke } from '../helpers/raw-spoke.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';

const SECRET = 'internal-admin-panel-token-4242';

/** An HTTP server that answers every request with `status` and a body holding SECRET, or never answers. */
async function startEndpoint(t: TestContext, behaviour: number | 'hang'): Promise<number> {
  const held: import('node:http').ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    if (behaviour === 'hang') return void held.push(res);
    res.writeHead(behaviour, { 'content-type': 'text/html' }).end(`<h1>${SECRET}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const res of held) res.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

describe(`the upstream leg against hostile endpoints, on the ${TEST_DB} database`, () => {
  it("bounds opening a session by the tool's timeout: a spoke hanging at initialize times out with the call", async (t) => {
    // A connect timeout far beyond the tool's: only the tool's own deadline can end this call.
    const hub = await startTestHub(t, { engine: { connectTimeoutMs: 600_000, defaultRetryAttempts: 0 } });
    const port = await startEndpoint(t, 'hang');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('hang-1', 'hang', port, [{ name: 'hang_tool', timeout_seconds: 1 }]),
    );
    const res = await api(hub, 'POST', '/api/v1/tools/hang_tool/execute', { arguments: {} });
    assert.equal(res.body.status, 'timeout', JSON.stringify(res.body));
  });

  it("never echoes an endpoint's error page to the caller", async (t) => {
    const hub = await startTestHub(t, { engine: { defaultRetryAttempts: 0 } });
    // At initialize (the SDK client's leg) …
    const refusing = await startEndpoint(t, 403);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('page-1', 'page', refusing, ['page_tool']),
    );
    const atInitialize = await api(hub, 'POST', '/api/v1/tools/page_tool/execute', { arguments: {} });
    assert.equal(atInitialize.body.status, 'error');
    assert.match(atInitialize.body.error.message, /HTTP 403/);
    // … during tool discovery …
    const discovery = await api(hub, 'POST', '/api/v1/services/register', {
      ...registration('page-2', 'page2', refusing, []),
      tools: undefined,
      mcp_url: `http://127.0.0.1:${refusing}/mcp`,
    });
    assert.equal(discovery.status, 502, JSON.stringify(discovery.body));
    assert.match(discovery.body.error.message, /HTTP 403/);
    // … and at tools/call (the raw leg, after a good initialize).
    const failing = await startRawSpoke(t, (res) =>
      res.writeHead(500, { 'content-type': 'text/html' }).end(`<pre>${SECRET}</pre>`),
    );
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('page-3', 'page3', failing, ['page3_tool']),
    );
    const atCall = await api(hub, 'POST', '/api/v1/tools/page3_tool/execute', { arguments: {} });
    assert.equal(atCall.body.status, 'error');
    assert.match(atCall.body.error.message, /HTTP 500/);
    for (const answer of [atInitialize, discovery, atCall]) {
      assert.ok(!JSON.stringify(answer.body).includes(SECRET), JSON.stringify(answer.body));
    }
  });
});
