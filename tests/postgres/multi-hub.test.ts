import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { conformanceRegistration, startConformanceSpoke } from '../fixtures/conformance-spoke.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectClient, withoutHubTools } from '../helpers/mcp-client.js';
import { modernEnvelope, postModernToolCall } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

// Several hubs share a registry only on PostgreSQL (SPEC §9): scripts/run-tests.mjs runs this file
// in the PostgreSQL pass only.
assert.equal(TEST_DB, 'postgres', 'tests/postgres/ runs against PostgreSQL only');

describe('two hubs on one PostgreSQL', () => {
  it('share registrations, deregistrations, health and statistics, and tell their MCP clients', async (t) => {
    const first = await startTestHub(t);
    const second = await startTestHub(t, { dbSchema: first.config.dbSchema });
    const spoke = await startTestSpoke(t);
    const session = await connectClient(t, new StreamableHTTPClientTransport(new URL(`${second.url}/mcp`)));
    const echo = { name: 'echo', input_schema: { type: 'object', properties: { text: { type: 'string' } } } };

    // Registered through the first hub: the second routes to it and its MCP client hears of it.
    const body = registration('shared-1', 'shared', spoke.port, [echo], { health_check: { interval: 3600 } });
    assert.equal((await api(first, 'POST', '/api/v1/services/register', body)).status, 200);
    await waitFor(() => session.listChanged >= 1, 'list_changed on the second hub');
    const tools = withoutHubTools((await session.client.listTools()).tools);
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['echo'],
    );
    const called = await session.client.callTool({ name: 'echo', arguments: { text: 'via the second hub' } });
    assert.deepEqual(called.structuredContent, { text: 'via the second hub' });
    assert.equal((await api(second, 'GET', '/api/v1/services/shared-1')).body.is_active, true);

    // Statistics of calls made through the first hub reach the second hub's catalogue.
    for (let i = 0; i < 3; i++)
      await api(first, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: `${i}` } });
    await waitFor(
      async () => (await api(second, 'GET', '/api/v1/tools/echo')).body.total_executions === 4,
      'statistics of four calls on the second hub (one its own, three the first hub’s)',
    );

    // Deregistered through the second hub: the first stops routing to it.
    await api(second, 'POST', '/api/v1/services/shared-1/deregister');
    await waitFor(() => first.routing.getTool('echo') === undefined, 'echo gone from the first hub');
    assert.equal((await api(first, 'GET', '/api/v1/tools/echo')).status, 404);
    assert.equal((await api(first, 'GET', '/api/v1/services/shared-1')).body.is_active, false);
  });

  it('tell their MCP clients of a prompt or resource list change a server announced to the other hub', async (t) => {
    const first = await startTestHub(t);
    const second = await startTestHub(t, { dbSchema: first.config.dbSchema });
    const server = await startEverythingServer(t);
    assert.equal(
      (await api(first, 'POST', '/api/v1/services/register', server.registration('ev-shared'))).status,
      200,
    );
    await waitFor(() => second.routing.getTool('ev__echo') !== undefined, 'the second hub routes to it');
    const session = await connectClient(t, new StreamableHTTPClientTransport(new URL(`${second.url}/mcp`)));
    let resourcesChanged = 0;
    session.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      resourcesChanged++;
    });
    // A REST call on the first hub makes the server add a resource: it tells the first hub only.
    const made = await api(first, 'POST', '/api/v1/tools/ev__gzip-file-as-resource/execute', {
      arguments: {
        name: 'shared.txt.gz',
        data: 'data:text/plain;base64,aGVsbG8=',
        outputType: 'resourceLink',
      },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    await waitFor(() => resourcesChanged > 0, 'resources/list_changed on the second hub');
  });

  it('runs the health loop on one hub only, and hands it over when that hub stops', async (t) => {
    const health = { tickMs: 50, failureThreshold: 1 };
    const first = await startTestHub(t, { health });
    const second = await startTestHub(t, { dbSchema: first.config.dbSchema, health });
    assert.deepEqual([first.leader, second.leader], [true, false]);

    // An instance nobody answers for: the leader's checks mark it unhealthy, and the follower,
    // which runs no checks, learns it from the leader.
    const body = registration('silent-1', 'silent', 1, ['quiet_tool'], { health_check: { interval: 1 } });
    assert.equal((await api(second, 'POST', '/api/v1/services/register', body)).status, 200);
    await waitFor(() => second.routing.getTool('quiet_tool') !== undefined, 'the follower routes to it');
    await waitFor(() => first.routing.getTool('quiet_tool') === undefined, 'the leader marks it unhealthy');
    await waitFor(() => second.routing.getTool('quiet_tool') === undefined, 'the follower hears of it');

    await first.close();
    await waitFor(() => second.leader, 'the second hub takes the lead');
  });

  it('hold a caller to one rate limit across both hubs, not one per hub', async (t) => {
    const rateLimit = { toolCallsPerMinute: 3 };
    const first = await startTestHub(t, { rateLimit });
    const second = await startTestHub(t, { dbSchema: first.config.dbSchema, rateLimit });
    const spoke = await startTestSpoke(t);
    const body = registration('limited-1', 'limited', spoke.port, ['echo']);
    assert.equal((await api(first, 'POST', '/api/v1/services/register', body)).status, 200);
    await waitFor(() => second.routing.getTool('echo') !== undefined, 'the second hub routes echo');
    const call = async (hub: typeof first) =>
      (await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: {} })).status;
    // Each hub counts in memory and adds its count to the shared one in the background (every
    // 250 ms); the test makes that happen now instead of waiting for it.
    assert.deepEqual([await call(first), await call(first), await call(second)], [200, 200, 200]);
    // Each adds what it counted; then each reads back what the other added.
    for (const hub of [first, second, first]) await hub.syncRateLimits();
    // Three calls this minute across the hubs: the fourth is refused on either, though neither
    // hub alone has counted three.
    assert.equal(await call(second), 429);
    assert.equal(await call(first), 429);
  });

  it('refuse a 2026-07-28 retry that lands on the other hub, naming why, and the hub holding the call finishes it', async (t) => {
    const first = await startTestHub(t);
    const second = await startTestHub(t, { dbSchema: first.config.dbSchema });
    const spoke = await startConformanceSpoke();
    t.after(() => spoke.close());
    assert.equal(
      (await api(first, 'POST', '/api/v1/services/register', conformanceRegistration(spoke.port))).status,
      200,
    );
    await waitFor(() => second.routing.getTool('test_elicitation') !== undefined, 'the second hub routes it');
    const params = {
      name: 'test_elicitation',
      arguments: { message: 'Name?' },
      _meta: modernEnvelope({ elicitation: {} }),
    };
    const call = async (hub: typeof first, extra: Record<string, unknown> = {}) =>
      (await postModernToolCall(hub.url!, { ...params, ...extra })).body;
    const asked = await call(first);
    assert.equal(asked.result.resultType, 'input_required');
    const [key] = Object.keys(asked.result.inputRequests);
    const retry = {
      inputResponses: { [key!]: { action: 'accept', content: { username: 'cy', email: 'cy@example.test' } } },
      requestState: asked.result.requestState,
    };
    const elsewhere = await call(second, retry);
    assert.equal(elsewhere.error?.code, -32602, JSON.stringify(elsewhere));
    assert.equal(elsewhere.error.data.reason, 'other_hub');
    assert.match(elsewhere.error.message, /another hub/);
    const home = await call(first, retry);
    assert.equal(home.result?.resultType, 'complete', JSON.stringify(home));
    assert.match(home.result.content[0].text, /"username":"cy"/);
  });
});
