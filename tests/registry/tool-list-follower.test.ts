import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGrowingServer } from '../fixtures/growing-server.js';
import { connectHttp, withoutHubTools } from '../helpers/mcp-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

describe(`servers whose tools change at runtime, on the ${TEST_DB} database`, () => {
  for (const era of ['legacy', 'modern'] as const) {
    it(`lists a ${era === 'legacy' ? 'handshake-era' : '2026-07-28'} server's tools again when it says they changed, and tells the hub's clients`, async (t) => {
      const hub = await startTestHub(t);
      const server = await startGrowingServer({ era, tools: ['first'] });
      t.after(() => server.close());
      const registered = await api(hub, 'POST', '/api/v1/services/register', {
        service_id: `growing-${era}`,
        service_name: `growing-${era}`,
        address: '127.0.0.1',
        port: server.port,
        mcp_url: server.url,
      });
      assert.equal(registered.status, 200);
      assert.equal(registered.body.tools_discovered, true);
      const client = await connectHttp(t, hub.url!);
      assert.deepEqual(
        withoutHubTools((await client.client.listTools()).tools).map((tool) => tool.name),
        ['first'],
      );
      const heard = client.listChanged;

      server.addTool('second');
      await waitFor(() => Boolean(hub.routing.getTool('second')), 'the hub to list the new tool');
      await waitFor(() => client.listChanged > heard, 'the hub’s client to hear list_changed');
      assert.deepEqual(
        withoutHubTools((await client.client.listTools()).tools)
          .map((tool) => tool.name)
          .sort(),
        ['first', 'second'],
      );
      const called = await client.client.callTool({ name: 'second', arguments: {} });
      assert.equal((called.content as { text: string }[])[0]!.text, 'second ran');
      // The database holds it too (what another hub on the same PostgreSQL reads).
      assert.deepEqual(
        (await api(hub, 'GET', `/api/v1/services/growing-${era}`)).body.tools
          .map((tool: { name: string }) => tool.name)
          .sort(),
        ['first', 'second'],
      );
    });
  }

  it('leaves tools listed by hand alone', async (t) => {
    const hub = await startTestHub(t);
    const server = await startGrowingServer({ era: 'legacy', tools: ['first'] });
    t.after(() => server.close());
    await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'by-hand',
      service_name: 'by-hand',
      address: '127.0.0.1',
      port: server.port,
      mcp_url: server.url,
      tools: [{ name: 'first', input_schema: { type: 'object' } }],
    });
    server.addTool('second');
    hub.toolLists.toolsChanged(server.url);
    await hub.toolLists.settled();
    assert.equal((await api(hub, 'GET', '/api/v1/services/by-hand')).body.tools_discovered, false);
    assert.equal(hub.routing.getTool('second'), undefined);
  });
});
