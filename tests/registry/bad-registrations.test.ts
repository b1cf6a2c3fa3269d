import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { startEverythingServer } from '../helpers/everything-server.js';
import { freePort } from '../helpers/free-port.js';
import { startScriptedMcpServer } from '../helpers/scripted-mcp-server.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

const byUrl = (serviceId: string, port: number, mcpUrl: string) => ({
  service_id: serviceId,
  service_name: serviceId,
  address: '127.0.0.1',
  port,
  mcp_url: mcpUrl,
});

/** An HTTP server that is not MCP: a web page for every request. */
async function webPage(t: TestContext) {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

describe(`registrations the hub cannot take, on the ${TEST_DB} database`, () => {
  it('answers each with a 4xx or 502 naming the cause, never a 5xx of its own, and writes nothing', async (t) => {
    const hub = await startTestHub(t);
    const everything = await startEverythingServer(t);
    const sse = await startEverythingServer(t, { transport: 'sse' });
    const page = await webPage(t);
    const down = await freePort();
    const slash = await startScriptedMcpServer(t, [
      { name: 'files/read', description: 'bad name', inputSchema: { type: 'object' } },
    ]);
    const huge = await startScriptedMcpServer(t, [
      { name: 'verbose', description: 'x'.repeat(20_000), inputSchema: { type: 'object' } },
    ]);
    const cases: { what: string; body: Record<string, unknown>; status: number; cause: RegExp }[] = [
      {
        what: 'a server that is down',
        body: byUrl('down', down, `http://127.0.0.1:${down}/mcp`),
        status: 502,
        cause: /ECONNREFUSED|unreachable|connect/i,
      },
      {
        what: 'a web page, not MCP',
        body: byUrl('page', page, `http://127.0.0.1:${page}/mcp`),
        status: 502,
        cause: /MCP/,
      },
      {
        what: 'a wrong path on a real MCP server',
        body: byUrl('wrong-path', everything.port, `http://127.0.0.1:${everything.port}/wrong`),
        status: 502,
        cause: /404|not found/i,
      },
      {
        what: 'a tool whose name has a "/"',
        body: byUrl('slash', slash.port, slash.mcpUrl),
        status: 502,
        cause: /files\/read/,
      },
      {
        what: 'a tool description over 16 KiB',
        body: byUrl('huge', huge.port, huge.mcpUrl),
        status: 502,
        cause: /verbose.*description|description.*verbose/,
      },
    ];
    for (const c of cases) {
      const res = await api(hub, 'POST', '/api/v1/services/register', c.body);
      assert.equal(res.status, c.status, `${c.what}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, c.cause, c.what);
      assert.equal(
        (await api(hub, 'GET', `/api/v1/services/${c.body.service_id}`)).status,
        404,
        `${c.what}: nothing written`,
      );
    }
    const sseAnswer = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      byUrl('sse-only', sse.port, sse.mcpUrl),
    );
    console.log(sseAnswer.status, JSON.stringify(sseAnswer.body));
  });

  it('federates the valid tools of a server with invalid ones, and says which it left out and why', async (t) => {
    const hub = await startTestHub(t);
    const mixed = await startScriptedMcpServer(t, [
      { name: 'good_tool', description: 'fine', inputSchema: { type: 'object' } },
      { name: 'bad tool', description: 'a space in its name', inputSchema: { type: 'object' } },
      { name: 'no_object', description: 'schema is not an object', inputSchema: { type: 'string' } },
    ]);
    const res = await api(hub, 'POST', '/api/v1/services/register', byUrl('mixed', mixed.port, mixed.mcpUrl));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.tools.map((tool: { name: string }) => tool.name),
      ['good_tool'],
    );
    assert.deepEqual(
      res.body.warnings.map((w: { tool: string; path: string }) => [w.tool, w.path]),
      [
        ['bad tool', 'tools.1.name'],
        ['no_object', 'tools.2.inputSchema'],
      ],
    );
    assert.match(res.body.warnings[0].message, /letters, digits/);
    assert.ok(hub.routing.getTool('good_tool'));
  });
});
