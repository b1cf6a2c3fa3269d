import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { connectHttp } from '../helpers/mcp-client.js';
import { startScriptedMcpServer } from '../helpers/scripted-mcp-server.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const SAME_NAMES = [
  { name: 'search', inputSchema: { type: 'object' } },
  { name: 'fetch', inputSchema: { type: 'object' } },
];

async function serverWithSameNames(t: TestContext) {
  return startScriptedMcpServer(t, SAME_NAMES);
}

const register = (hub: Hub, name: string, port: number, extra: Record<string, unknown> = {}) =>
  api(hub, 'POST', '/api/v1/services/register', {
    service_id: `${name}-1`,
    service_name: name,
    address: '127.0.0.1',
    port,
    mcp_url: `http://127.0.0.1:${port}/mcp`,
    ...extra,
  });

const exposed = (hub: Hub) =>
  hub.routing
    .visibleTools()
    .map((tool) => tool.definition.name)
    .sort();

describe(`namespaces for services offering the same tool names, on the ${TEST_DB} database`, () => {
  it('answers 409 naming the ways out, and federates both once the second has a namespace', async (t) => {
    const hub = await startTestHub(t);
    const first = await serverWithSameNames(t);
    const second = await serverWithSameNames(t);
    assert.equal((await register(hub, 'web', first.port)).status, 200);
    const conflict = await register(hub, 'docs', second.port);
    assert.equal(conflict.status, 409);
    assert.match(conflict.body.error.message, /namespace/);
    assert.match(conflict.body.error.message, /--tool-namespaces service-name/);

    const res = await register(hub, 'docs', second.port, { namespace: 'docs' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.namespace, 'docs');
    assert.deepEqual(exposed(hub), ['docs__fetch', 'docs__search', 'fetch', 'search']);
    // A namespaced tool reaches its own server under its own name.
    const { client } = await connectHttp(t, hub.url!);
    const called = await client.callTool({ name: 'docs__search', arguments: {} });
    assert.equal((called.content as { text: string }[])[0]!.text, 'called search');
  });

  it('with --tool-namespaces service-name, names every service’s tools after it, whatever the order', async (t) => {
    const names: string[][] = [];
    for (const order of [
      ['alpha', 'beta'],
      ['beta', 'alpha'],
    ]) {
      const hub = await startTestHub(t, { toolNamespaces: 'service-name' });
      for (const name of order) {
        const server = await serverWithSameNames(t);
        assert.equal((await register(hub, name, server.port)).status, 200);
      }
      names.push(exposed(hub));
    }
    assert.deepEqual(names[0], ['alpha__fetch', 'alpha__search', 'beta__fetch', 'beta__search']);
    assert.deepEqual(names[1], names[0], 'the same names in either order');
  });

  it('refuses a namespace that makes a tool name too long, or one given with a tool_prefix', async (t) => {
    const hub = await startTestHub(t);
    const server = await serverWithSameNames(t);
    const long = await register(hub, 'long', server.port, {
      namespace: 'n'.repeat(64),
      tools: [{ name: 't'.repeat(70) }],
    });
    assert.equal(long.status, 400);
    assert.equal(long.body.error.details[0].path, 'tools.0.name');
    const both = await register(hub, 'both', server.port, { namespace: 'a', tool_prefix: 'b' });
    assert.equal(both.status, 400);
    assert.equal((await api(hub, 'GET', '/api/v1/services')).body.items.length, 0, 'nothing written');
  });
});
