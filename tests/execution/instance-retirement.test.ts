import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const TOOLS = [
  { name: 'echo', input_schema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: 'hold', input_schema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: 'write', input_schema: { type: 'object' }, retry_attempts: 0 },
];

describe(`what the hub holds for an instance, on the ${TEST_DB} database`, () => {
  it('drops a deregistered instance’s gate and ends its upstream session', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('gone-1', 'gone', spoke.port, TOOLS));
    assert.equal(
      (await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'x' } })).body.status,
      'success',
    );
    assert.ok(hub.gates.get('gone-1'), 'a gate exists once the instance was called');
    assert.equal(hub.upstream.size, 1);
    assert.equal(spoke.sessions, 1);
    assert.equal((await api(hub, 'POST', '/api/v1/services/gone-1/deregister')).status, 200);
    await hub.retirement.settled();
    assert.equal(hub.gates.get('gone-1'), undefined, 'gate dropped');
    assert.equal(hub.upstream.size, 0, 'upstream session forgotten');
    await waitFor(() => spoke.sessions === 0, 'the spoke to see its session end');
  });

  it('keeps a busy instance’s gate until its last call has finished, then drops it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('busy-1', 'busy', spoke.port, TOOLS));
    const running = api(hub, 'POST', '/api/v1/tools/hold/execute', { arguments: {} });
    await waitFor(() => spoke.held === 1, 'the call running at the spoke');
    assert.equal((await api(hub, 'POST', '/api/v1/services/busy-1/deregister')).status, 200);
    assert.ok(hub.gates.get('busy-1'), 'the gate stays while its call runs');
    assert.equal(hub.upstream.size, 1, 'the session stays while its call runs');
    spoke.release();
    assert.equal((await running).body.status, 'success', 'the call in flight was answered');
    await hub.retirement.settled();
    assert.equal(hub.gates.get('busy-1'), undefined);
    assert.equal(hub.upstream.size, 0);
  });

  it('keeps the gate of an instance that registered again before its calls finished', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const body = registration('back-1', 'back', spoke.port, TOOLS);
    await api(hub, 'POST', '/api/v1/services/register', body);
    const running = api(hub, 'POST', '/api/v1/tools/hold/execute', { arguments: {} });
    await waitFor(() => spoke.held === 1, 'the call running at the spoke');
    const gate = hub.gates.get('back-1');
    await api(hub, 'POST', '/api/v1/services/back-1/deregister');
    await api(hub, 'POST', '/api/v1/services/register', body);
    spoke.release();
    await running;
    await hub.retirement.settled();
    assert.equal(hub.gates.get('back-1'), gate, 'the same gate (and breaker history) serves it');
    assert.equal(hub.upstream.size, 1);
  });

  it('cuts off a busy, healthy instance at the fifth consecutive failure', async (t) => {
    const hub = await startTestHub(t, { engine: { breakerResetMs: 3_600_000 } });
    const spoke = await startTestSpoke(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('turns-1', 'turns', spoke.port, TOOLS));
    for (let i = 0; i < 60; i++) {
      assert.equal(
        (await api(hub, 'POST', '/api/v1/tools/write/execute', { arguments: { value: 'x' } })).body.status,
        'success',
      );
    }
    spoke.log.failures.set('write', 'status500');
    for (let i = 0; i < 5; i++) {
      assert.equal(
        (await api(hub, 'POST', '/api/v1/tools/write/execute', { arguments: { value: 'x' } })).body.status,
        'error',
      );
    }
    assert.equal((await api(hub, 'GET', '/api/v1/services/turns-1')).body.breaker_state, 'open');
    const refused = await api(hub, 'POST', '/api/v1/tools/write/execute', { arguments: { value: 'x' } });
    assert.equal(refused.body.error.code, 'breaker_open');
    assert.equal(spoke.log.count('write'), 65, 'nothing reached the spoke after the fifth failure');
  });
});
