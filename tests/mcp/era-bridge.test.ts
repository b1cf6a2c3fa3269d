import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conformanceRegistration, startConformanceSpoke } from '../fixtures/conformance-spoke.js';
import { connectModernHttp, modernEnvelope, postModernToolCall } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

const envelope = modernEnvelope;
const modernCall = (hub: Hub, params: Record<string, unknown>) => postModernToolCall(hub.url!, params);

async function hubWithLegacySpoke(t: import('node:test').TestContext) {
  const hub = await startTestHub(t);
  const spoke = await startConformanceSpoke();
  t.after(() => spoke.close());
  const res = await api(hub, 'POST', '/api/v1/services/register', conformanceRegistration(spoke.port));
  assert.equal(res.status, 200);
  return hub;
}

describe(`a 2026-07-28 caller and a handshake-era spoke that asks during a call, on the ${TEST_DB} database`, () => {
  it('turns the spoke’s elicitation and sampling requests into input_required rounds and answers the spoke from the retry', async (t) => {
    const hub = await hubWithLegacySpoke(t);
    const { client } = await connectModernHttp(t, hub.url!, {
      capabilities: { elicitation: {}, sampling: {} },
      listen: false,
    });
    assert.equal(client.getProtocolEra(), 'modern');
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { username: 'ada', email: 'ada@example.test' } };
    });
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'forty-two' },
      model: 'test-model',
    }));
    const elicited = await client.callTool({
      name: 'test_elicitation',
      arguments: { message: 'Who are you?' },
    });
    assert.deepEqual(asked, ['Who are you?']);
    assert.equal(
      (elicited.content as { text: string }[])[0]!.text,
      'User response: action=accept, content={"username":"ada","email":"ada@example.test"}',
    );
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'the answer?' } });
    assert.equal((sampled.content as { text: string }[])[0]!.text, 'LLM response: forty-two');
    await hub.history.drain();
    const rows = (await api(hub, 'GET', '/api/v1/executions?tool=test_elicitation')).body.items;
    assert.equal(rows.length, 1, 'one call, one history row, however many rounds');
    assert.equal(rows[0].status, 'success');
  });

  it('refuses a tampered requestState with -32602 and keeps the call for the genuine retry', async (t) => {
    const hub = await hubWithLegacySpoke(t);
    const params = {
      name: 'test_elicitation',
      arguments: { message: 'Name?' },
      _meta: envelope({ elicitation: {} }),
    };
    const first = await modernCall(hub, params);
    assert.equal(first.status, 200);
    assert.equal(first.body.result.resultType, 'input_required');
    const [key, request] = Object.entries(first.body.result.inputRequests)[0] as [string, any];
    assert.equal(request.method, 'elicitation/create');
    assert.equal(request.params.message, 'Name?');
    const state: string = first.body.result.requestState;
    const answer = { [key]: { action: 'accept', content: { username: 'bo', email: 'bo@example.test' } } };

    const [payload, mac] = state.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.r += 1;
    const tampered = [
      `${payload}.${mac!.slice(0, -2)}AA`,
      `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`,
      'not-a-state',
    ];
    for (const requestState of tampered) {
      const refused = await modernCall(hub, { ...params, inputResponses: answer, requestState });
      assert.equal(refused.body.error?.code, -32602, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /Invalid or expired requestState/);
    }
    const done = await modernCall(hub, { ...params, inputResponses: answer, requestState: state });
    assert.equal(done.body.result.resultType, 'complete', JSON.stringify(done.body));
    assert.match(done.body.result.content[0].text, /"username":"bo"/);
    // The state of a finished call cannot be replayed.
    const replay = await modernCall(hub, { ...params, inputResponses: answer, requestState: state });
    assert.equal(replay.body.error?.code, -32602);
  });

  it('asks again for an input the retry left out, and answers -32021 to a caller without the capability', async (t) => {
    const hub = await hubWithLegacySpoke(t);
    const params = {
      name: 'test_elicitation',
      arguments: { message: 'Again?' },
      _meta: envelope({ elicitation: {} }),
    };
    const first = await modernCall(hub, params);
    const state = first.body.result.requestState;
    const again = await modernCall(hub, { ...params, inputResponses: {}, requestState: state });
    assert.equal(again.body.result.resultType, 'input_required', JSON.stringify(again.body));
    assert.deepEqual(
      Object.keys(again.body.result.inputRequests),
      Object.keys(first.body.result.inputRequests),
    );
    const [key] = Object.keys(again.body.result.inputRequests);
    const done = await modernCall(hub, {
      ...params,
      inputResponses: { [key!]: { action: 'decline' } },
      requestState: again.body.result.requestState,
    });
    assert.equal(done.body.result.content[0].text, 'User response: action=decline, content={}');

    // A caller that did not declare elicitation: MissingRequiredClientCapabilityError, HTTP 400.
    const incapable = await modernCall(hub, { ...params, _meta: envelope({}) });
    assert.equal(incapable.status, 400, JSON.stringify(incapable.body));
    assert.equal(incapable.body.error?.code, -32021);
    assert.deepEqual(incapable.body.error.data, { requiredCapabilities: { elicitation: {} } });
  });
});
