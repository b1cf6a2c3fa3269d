// Issue #12, session isolation: a server that keeps state per session (the MCP project's own
// server-everything, one server object per session) gets one upstream session per hub session,
// so what one client sets there is not what another sees.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { connectModernHttp } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const TOGGLE = 'ev__toggle-simulated-logging';

/** Ends a client's MCP session with the hub (DELETE /mcp). */
const endSession = (client: Client) => (client.transport as StreamableHTTPClientTransport).terminateSession();

/** server-everything's answer to its toggle: whether logging started or stopped, and for which of its sessions. */
function toggled(result: { content?: unknown; isError?: unknown }): { started: boolean; session: string } {
  const text = (result.content as { type: string; text?: string }[] | undefined)?.[0]?.text ?? '';
  const match = /^(Started|Stopped) .* for session (\S+?)(?: at|$)/.exec(text);
  assert.ok(match, `not a toggle answer: ${JSON.stringify(result)}`);
  return { started: match[1] === 'Started', session: match[2]! };
}

async function hubWithEverything(
  t: TestContext,
  engine: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  const hub = await startTestHub(t, { engine });
  const server = await startEverythingServer(t);
  const registered = await api(hub, 'POST', '/api/v1/services/register', {
    ...server.registration(`everything-${Math.random().toString(36).slice(2, 8)}`),
    ...extra,
  });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  const toggleVia = async (client: Client) =>
    toggled((await client.callTool({ name: TOGGLE, arguments: {} })) as never);
  const toggleViaRest = async () => {
    const response = await api(hub, 'POST', `/api/v1/tools/${TOGGLE}/execute`, { arguments: {} });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return toggled(response.body.result);
  };
  return { hub, server, toggleVia, toggleViaRest };
}

describe(`session isolation with a stateful upstream, on the ${TEST_DB} database`, () => {
  it('gives each MCP session its own upstream session; REST and 2026-07-28 callers share the hub-owned one', async (t) => {
    const { hub, server, toggleVia, toggleViaRest } = await hubWithEverything(t);
    const a = await connectHttp(t, hub.url!);
    const b = await connectHttp(t, hub.url!);

    const aFirst = await toggleVia(a.client);
    const bFirst = await toggleVia(b.client);
    assert.equal(aFirst.started, true);
    assert.equal(bFirst.started, true, "b's toggle is not a's: b's upstream session started its own");
    assert.notEqual(aFirst.session, bFirst.session);
    // The same session again — through a hub tool this time (hub_call_tool keeps the caller's session).
    const aAgain = toggled(
      (await a.client.callTool({
        name: 'hub_call_tool',
        arguments: { name: TOGGLE, arguments: {} },
      })) as never,
    );
    assert.deepEqual(aAgain, { started: false, session: aFirst.session }, "a's second toggle stops a's own");

    // REST calls go on a hub-owned upstream session, the same each time, no MCP session's.
    const rest = await toggleViaRest();
    assert.equal(rest.started, true);
    assert.ok(![aFirst.session, bFirst.session].includes(rest.session));
    // A 2026-07-28 client has no session: it is served on the hub-owned one too.
    const modern = await connectModernHttp(t, hub.url!, { listen: false });
    const modernToggle = toggled((await modern.client.callTool({ name: TOGGLE, arguments: {} })) as never);
    assert.deepEqual(modernToggle, { started: false, session: rest.session });

    // A session that ends takes its upstream session with it.
    assert.equal(hub.upstream.sessionCountAt(server.mcpUrl), 2);
    await endSession(a.client);
    await waitFor(() => hub.upstream.sessionCountAt(server.mcpUrl) === 1, "a's upstream session closed");
    await toggleVia(b.client);
  });

  it('serves every session on one upstream session when the registration says shared_session (as the spoke kit does)', async (t) => {
    const { hub, server, toggleVia } = await hubWithEverything(t, {}, { shared_session: true });
    const a = await connectHttp(t, hub.url!);
    const b = await connectHttp(t, hub.url!);
    const aFirst = await toggleVia(a.client);
    assert.equal(aFirst.started, true);
    assert.deepEqual(await toggleVia(b.client), { started: false, session: aFirst.session });
    assert.equal(hub.upstream.sessionCountAt(server.mcpUrl), 0, 'no session of its own for anyone');
    // The spoke kit registers so: its tools keep nothing per session.
    const spoke = await startTestSpoke(t, { hubUrl: hub.url!, serviceId: 'kit-shared' });
    await spoke.registration!.registered;
    assert.equal((await api(hub, 'GET', '/api/v1/services/kit-shared')).body.shared_session, true);
  });

  it('refuses a session past the bound as busy, and takes it once a session ends', async (t) => {
    const { hub, toggleVia } = await hubWithEverything(t, {
      maxUpstreamSessionsPerInstance: 1,
      retryBaseMs: 1,
    });
    const a = await connectHttp(t, hub.url!);
    const b = await connectHttp(t, hub.url!);
    assert.equal((await toggleVia(a.client)).started, true);

    const refused = (await b.client.callTool({ name: TOGGLE, arguments: {} })) as {
      isError?: boolean;
      content: { text: string }[];
      _meta?: Record<string, unknown>;
    };
    assert.equal(refused.isError, true);
    assert.equal(refused._meta?.['fin-hub/error_code'], 'instance_busy');
    assert.match(refused.content[0]!.text, /upstream sessions/);
    const row = await api(hub, 'GET', `/api/v1/executions/${refused._meta?.['fin-hub/execution_id']}`);
    assert.equal(row.status, 200, 'the refused call has its history row');
    assert.equal(row.body.status, 'rejected');
    assert.equal(row.body.error.code, 'instance_busy');
    // Not the server's fault: its breaker stays closed and a's session still works.
    const instances = await api(hub, 'GET', '/api/v1/services');
    assert.deepEqual(
      instances.body.items.map((i: { breaker_state: string }) => i.breaker_state),
      ['closed'],
      JSON.stringify(instances.body),
    );
    assert.equal((await toggleVia(a.client)).started, false);

    await endSession(a.client);
    await waitFor(async () => {
      const again = (await b.client.callTool({ name: TOGGLE, arguments: {} })) as { isError?: boolean };
      return again.isError !== true;
    }, 'b served once a ended');
  });

  it('closes an idle upstream session; the next call opens a new one', async (t) => {
    const { hub, server, toggleVia } = await hubWithEverything(t, { upstreamSessionIdleMs: 200 });
    const a = await connectHttp(t, hub.url!);
    const first = await toggleVia(a.client);
    assert.equal(hub.upstream.sessionCountAt(server.mcpUrl), 1);
    await waitFor(() => hub.upstream.sessionCountAt(server.mcpUrl) === 0, 'the idle upstream session closed');
    const second = await toggleVia(a.client);
    assert.equal(second.started, true, 'a new upstream session: the old one’s state is gone, as documented');
    assert.notEqual(second.session, first.session);
  });
});
