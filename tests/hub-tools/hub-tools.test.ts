// The hub's own tools (hub_status, hub_list_services, hub_search_tools, hub_call_tool) over MCP,
// and progressive discovery: a catalogue of 10,000 instances reached through them alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectHttp, listAllTools } from '../helpers/mcp-client.js';
import { serviceRecord, toolRecord } from '../helpers/registry-records.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const HUB_TOOLS = ['hub_call_tool', 'hub_list_services', 'hub_search_tools', 'hub_status'];
type Result = { isError?: boolean; content: { text: string }[]; structuredContent?: Record<string, unknown> };

describe('hub tools', () => {
  it('are listed first, report status and services, search the catalogue and call any tool with one history row each', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t, { hubUrl: hub.url });
    await spoke.registration!.registered;
    const session = await connectHttp(t, hub.url!);
    const { tools } = await session.client.listTools();
    assert.deepEqual(
      tools
        .slice(0, 4)
        .map((tool) => tool.name)
        .sort(),
      HUB_TOOLS,
    );
    assert.ok((await listAllTools(session.client)).includes('echo'));

    const status = (await session.client.callTool({ name: 'hub_status', arguments: {} })) as Result;
    assert.equal(status.isError, undefined);
    assert.deepEqual((status.structuredContent as { instances: unknown }).instances, {
      total: 1,
      healthy: 1,
      unhealthy: 0,
    });
    assert.match(status.content[0]!.text, /1 services, 1 instances \(1 healthy\)/);

    const services = (await session.client.callTool({ name: 'hub_list_services', arguments: {} })) as Result;
    const listed = (
      services.structuredContent as { instances: { service_name: string; breaker_state: string }[] }
    ).instances;
    assert.equal(listed[0]!.service_name, 'testspoke');
    assert.equal(listed[0]!.breaker_state, 'closed');

    const found = (await session.client.callTool({
      name: 'hub_search_tools',
      arguments: { query: 'echoes' },
    })) as Result;
    const hits = (found.structuredContent as { tools: { name: string; input_schema: unknown }[] }).tools;
    assert.equal(hits[0]!.name, 'echo');
    assert.ok(hits[0]!.input_schema, 'the schema to call it with');

    const called = (await session.client.callTool({
      name: 'hub_call_tool',
      arguments: { name: 'echo', arguments: { text: 'through the hub tool' } },
    })) as Result;
    assert.deepEqual(called.structuredContent, { text: 'through the hub tool' });
    // Two accepted calls, two rows, one correlation id.
    let rows: { tool_id: string; correlation_id: string; status: string }[] = [];
    await waitFor(async () => {
      const history = await api(hub, 'GET', '/api/v1/executions?limit=10');
      rows = (history.body as { items: typeof rows }).items;
      return rows.some((r) => r.tool_id === 'hub_call_tool') && rows.some((r) => r.tool_id === 'echo');
    }, 'both rows in the history');
    const outer = rows.find((r) => r.tool_id === 'hub_call_tool')!;
    const inner = rows.find((r) => r.tool_id === 'echo')!;
    assert.equal(outer.correlation_id, inner.correlation_id);
    assert.equal(outer.status, 'success');

    // Bad input: each a clear tool error, never a protocol error.
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'echo', arguments: { text: 42 } }, /echo was refused: .*text/],
      [
        { name: 'nothing_like_this' },
        /no registered tool is named nothing_like_this: find one with hub_search_tools/,
      ],
      [{ name: 'hub_status' }, /hub_status is a hub tool: call it directly/],
    ];
    for (const [args, message] of cases) {
      const result = (await session.client.callTool({ name: 'hub_call_tool', arguments: args })) as Result;
      assert.equal(result.isError, true, JSON.stringify(args));
      assert.match(result.content[0]!.text, message);
    }
    const invalid = (await session.client.callTool({ name: 'hub_search_tools', arguments: {} })) as Result;
    assert.equal(invalid.isError, true);
    assert.match(invalid.content[0]!.text, /query/);

    // REST reaches them through the same engine.
    const rest = await api(hub, 'POST', '/api/v1/tools/hub_status/execute', { arguments: {} });
    assert.equal(rest.status, 200);
    assert.equal((rest.body as { status: string }).status, 'success');
  });

  it('keeps hub_ names for the hub: a registration exposing one is refused, a namespaced one is fine', async (t) => {
    const hub = await startTestHub(t);
    const refused = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('imp-1', 'imp', 9201, ['hub_status']),
    );
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body), /a name the hub keeps for its own tools/);
    const namespaced = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('imp-2', 'imp', 9202, ['hub_status'], { namespace: 'imp' }),
    );
    assert.equal(namespaced.status, 200, JSON.stringify(namespaced.body));
  });
});

describe('progressive discovery (--tool-discovery progressive)', () => {
  it('lists only the hub tools; among 10,000 instances a client finds a tool by a word of its description and calls it', async (t) => {
    const hub = await startTestHub(t, { mcp: { toolDiscovery: 'progressive' } });
    // 10,000 instances of synthetic services, applied to the registry in memory as the database
    // returns rows (registering them one by one costs ~11 ms each on the embedded database: the
    // registration path has its own tests; this one is about finding a tool among them). Never
    // called; health-checked hourly; long TTLs.
    const now = new Date();
    hub.store.apply(
      Array.from({ length: 10_000 }, (_, i) => {
        const service = serviceRecord(`bulk${i % 500}-${i}`, {
          port: 20_000 + (i % 500),
          health_check_interval: 3600,
          last_health_check: now,
          ttl_seconds: 3600,
        });
        const tool = toolRecord(service.service_id, `bulk${i % 500}_quote_${i}`, {
          description: `Synthetic quote number ${i}`,
        });
        return { service, tools: [tool] };
      }),
    );
    assert.equal(hub.routing.instanceCount, 10_000);

    const spoke = await startTestSpoke(t, { hubUrl: hub.url });
    await spoke.registration!.registered;
    const session = await connectHttp(t, hub.url!);
    const { tools, nextCursor } = await session.client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), HUB_TOOLS);
    assert.equal(nextCursor, undefined);

    const found = (await session.client.callTool({
      name: 'hub_search_tools',
      arguments: { query: 'adds numbers', limit: 3 },
    })) as Result;
    const hits = (found.structuredContent as { tools: { name: string }[] }).tools;
    assert.equal(hits[0]!.name, 'add', JSON.stringify(hits));
    const sum = (await session.client.callTool({
      name: 'hub_call_tool',
      arguments: { name: hits[0]!.name, arguments: { a: 2, b: 3 } },
    })) as Result;
    assert.deepEqual(sum.structuredContent, { sum: 5 });
  });
});
