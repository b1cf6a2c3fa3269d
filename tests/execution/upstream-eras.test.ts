import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startModernSpoke } from '../fixtures/modern-spoke.js';
import { connectHttp, withoutHubTools } from '../helpers/mcp-client.js';
import { connectModernHttp, modernEnvelope, postModernToolCall } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** Registered by its MCP URL alone: the hub discovers the tools over MCP. */
async function registerByUrl(hub: Hub, id: string, port: number) {
  const res = await api(hub, 'POST', '/api/v1/services/register', {
    service_id: id,
    service_name: 'modernspoke',
    address: '127.0.0.1',
    port,
    mcp_url: `http://127.0.0.1:${port}/mcp`,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

describe(`the upstream leg in both protocol eras, on the ${TEST_DB} database`, () => {
  it('talks to a 2026-07-28 spoke statelessly: discovery, calls from callers of either era, progress', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-1', spoke.port);
    const legacy = await connectHttp(t, hub.url!);
    const names = withoutHubTools((await legacy.client.listTools()).tools)
      .map((tool) => tool.name)
      .sort();
    assert.deepEqual(names, ['echo', 'm_ask', 'm_echo', 'm_hold', 'm_nag', 'm_steps']);

    const fromLegacy = await legacy.client.callTool({ name: 'm_echo', arguments: { text: 'old caller' } });
    assert.deepEqual(fromLegacy.structuredContent, { text: 'old caller' });
    assert.equal(
      (fromLegacy as { resultType?: unknown }).resultType,
      undefined,
      'no 2026 fields for an old caller',
    );
    const modern = await connectModernHttp(t, hub.url!, { listen: false });
    const fromModern = await modern.client.callTool({ name: 'm_echo', arguments: { text: 'new caller' } });
    assert.deepEqual(fromModern.structuredContent, { text: 'new caller' });

    const progress: number[] = [];
    const stepped = await legacy.client.callTool({ name: 'm_steps', arguments: { steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.equal((stepped.content as { text: string }[])[0]!.text, '3 steps');
    assert.deepEqual(progress, [1, 2, 3]);

    // Every request the spoke saw was of its era, without a session.
    assert.ok(spoke.log.calls.length >= 3);
    for (const call of spoke.log.calls) {
      assert.equal(call.era, 'modern');
      assert.equal(call.sessionId, undefined);
    }
    await hub.history.drain();
    assert.equal((await api(hub, 'GET', '/api/v1/executions?tool=m_echo')).body.items.length, 2);
  });

  it('tells a 2026-07-28 spoke what this call’s caller can answer, and nothing more', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-caps', spoke.port);
    const heard = () => spoke.log.calls.at(-1)?.capabilities;
    // A 2026-07-28 caller that can elicit (and has an experimental capability the hub cannot relay).
    const modern = await connectModernHttp(t, hub.url!, {
      capabilities: { elicitation: {}, experimental: { x: {} } },
      listen: false,
    });
    await modern.client.callTool({ name: 'm_echo', arguments: { text: 'a' } });
    assert.deepEqual(heard(), { elicitation: {} });
    // A handshake-era caller: what its session declared.
    const legacy = await connectHttp(t, hub.url!, { sampling: {}, roots: {} });
    await legacy.client.callTool({ name: 'm_echo', arguments: { text: 'b' } });
    assert.deepEqual(heard(), { sampling: {}, roots: {} });
    // A REST call has nobody to ask.
    await api(hub, 'POST', '/api/v1/tools/m_echo/execute', { arguments: { text: 'c' } });
    assert.deepEqual(heard(), {});
  });

  it('cancels a call at a 2026-07-28 spoke when the caller cancels it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-2', spoke.port);
    const { client } = await connectHttp(t, hub.url!);
    const controller = new AbortController();
    const held = client.callTool({ name: 'm_hold', arguments: {} }, undefined, { signal: controller.signal });
    await waitFor(() => spoke.log.held === 1, 'the call reached the spoke');
    controller.abort('changed my mind');
    await assert.rejects(held);
    await waitFor(() => spoke.log.cancelled === 1, 'the spoke saw the cancellation');
  });

  it('asks a handshake-era caller the questions of a spoke answering input_required, and retries with the answers', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-3', spoke.port);
    const asker = await connectHttp(t, hub.url!, { elicitation: {} });
    const questions: string[] = [];
    asker.client.setRequestHandler(ElicitRequestSchema, (request) => {
      questions.push(String(request.params.message));
      return { action: 'accept', content: { name: 'Ada' } };
    });
    const answered = await asker.client.callTool({ name: 'm_ask', arguments: {} });
    assert.equal(answered.isError, undefined, JSON.stringify(answered));
    assert.equal((answered.content as { text: string }[])[0]!.text, 'hello Ada');
    assert.deepEqual(questions, ['What is your name?']);
    assert.equal(spoke.log.calls.filter((call) => call.tool === 'm_ask').length, 2, 'asked, then retried');

    // A caller that cannot answer gets a failed call naming why, not a hang.
    const mute = await connectHttp(t, hub.url!);
    const refused = await mute.client.callTool({ name: 'm_ask', arguments: {} });
    assert.equal(refused.isError, true);
    assert.match((refused.content as { text: string }[])[0]!.text, /elicitation/);
  });

  it('passes a 2026-07-28 spoke’s questions to a 2026-07-28 caller under the spoke’s own keys, and its state back', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-4', spoke.port);
    const call = async (extra: Record<string, unknown> = {}) =>
      (
        await postModernToolCall(hub.url!, {
          name: 'm_ask',
          arguments: {},
          _meta: modernEnvelope({ elicitation: {} }),
          ...extra,
        })
      ).body.result;
    const asked = await call();
    assert.equal(asked.resultType, 'input_required');
    assert.deepEqual(Object.keys(asked.inputRequests), ['who']);
    assert.equal(asked.inputRequests.who.method, 'elicitation/create');
    const done = await call({
      inputResponses: { who: { action: 'accept', content: { name: 'Grace' } } },
      requestState: asked.requestState,
    });
    assert.equal(done.resultType, 'complete');
    // The spoke saw its own requestState come back (it answers "state lost" otherwise).
    assert.equal(done.content[0].text, 'hello Grace');
  });

  it('gives up on a 2026-07-28 spoke that asks for input round after round, with a failed call', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-5', spoke.port);
    const caller = await connectHttp(t, hub.url!, { elicitation: {} });
    let asked = 0;
    caller.client.setRequestHandler(ElicitRequestSchema, () => {
      asked++;
      return { action: 'accept', content: { name: 'again' } };
    });
    const result = await caller.client.callTool({ name: 'm_nag', arguments: {} });
    assert.equal(result.isError, true);
    assert.match((result.content as { text: string }[])[0]!.text, /asked for input 8 times/);
    assert.equal(asked, 7, 'seven rounds answered, the eighth refused');
    await hub.history.drain();
    const rows = (await api(hub, 'GET', '/api/v1/executions?tool=m_nag')).body.items;
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'error');
  });

  // A regression here is a shutdown that never ends: the timeout turns that hang into a failure.
  it('shuts down gracefully with a 2026-07-28 caller’s call parked between rounds', {
    timeout: 120_000,
  }, async (t) => {
    // A deadline far beyond the test's timeout: only ending the waiting call lets close() finish.
    const hub = await startTestHub(t, { shutdownDeadlineMs: 600_000 });
    const spoke = await startModernSpoke();
    t.after(() => spoke.close());
    await registerByUrl(hub, 'modern-6', spoke.port);
    const asked = await postModernToolCall(hub.url!, {
      name: 'm_ask',
      arguments: {},
      _meta: modernEnvelope({ elicitation: {} }),
    });
    assert.equal(asked.body.result.resultType, 'input_required');
    // The caller never retries: the call waiting for it ends when the hub stops accepting.
    await hub.close();
    assert.equal(hub.engine.inFlight, 0);
  });

  it('learns the era again when a spoke restarts speaking the other one', async (t) => {
    const hub = await startTestHub(t);
    // First a handshake-era spoke (the kit's, legacy only) on a port, registered with its echo tool…
    const old = await startTestSpoke(t);
    const port = old.port;
    const body = registration('switch-1', 'switch', port, ['echo'], {
      mcp_url: `http://127.0.0.1:${port}/mcp`,
      // No health ping during the test: a ping goes on the hub-owned connection, and after the
      // restart it would open that one again — a second session at the spoke beside the test's
      // MCP session's own (session isolation, issue #12: a spoke that gives session ids gets one
      // per MCP session). Seen once in CI under load, the first check falling at random in the
      // interval.
      health_check: { interval: 3600 },
    });
    assert.equal((await api(hub, 'POST', '/api/v1/services/register', body)).status, 200);
    const { client } = await connectHttp(t, hub.url!);
    const call = async (text: string) =>
      (await client.callTool({ name: 'echo', arguments: { text } })).structuredContent;
    assert.deepEqual(await call('v1'), { text: 'v1' });
    // …then, on the same port, a 2026-07-28 spoke: the hub's session is refused unseen, and the
    // next connection learns the new era. No re-registration.
    await old.close();
    const spoke = await startModernSpoke({ port });
    t.after(() => spoke.close());
    assert.deepEqual(await call('v2'), { text: 'v2' });
    assert.equal(spoke.log.calls.at(-1)?.era, 'modern');
    // And back: the 2026-07-28 spoke is replaced by a handshake-era one again.
    await spoke.close();
    const again = await startTestSpoke(t, { port });
    assert.deepEqual(await call('v1 again'), { text: 'v1 again' });
    assert.equal(again.log.count('echo'), 1);
    assert.equal(again.sessions, 1, 'a handshake-era session again');
  });
});
