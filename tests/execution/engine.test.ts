import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const TOOLS = [
  {
    name: 'echo',
    input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'add',
    input_schema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    annotations: { idempotentHint: true },
  },
  { name: 'write', input_schema: { type: 'object', properties: { value: { type: 'string' } } } },
  {
    name: 'slow',
    input_schema: { type: 'object', properties: { ms: { type: 'integer' } } },
    annotations: { readOnlyHint: true },
  },
  { name: 'broken', input_schema: { type: 'object' } },
  { name: 'hold', input_schema: { type: 'object' }, annotations: { readOnlyHint: true } },
];

async function register(
  hub: Hub,
  id: string,
  port: number,
  extra: Record<string, unknown> = {},
  name = 'svc',
  tools: unknown[] = TOOLS,
) {
  const res = await api(hub, 'POST', '/api/v1/services/register', {
    service_id: id,
    service_name: name,
    address: '127.0.0.1',
    port,
    tools,
    ...extra,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const call = (hub: Hub, tool: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  api(hub, 'POST', `/api/v1/tools/${tool}/execute`, { arguments: args, ...extra });

describe(`execution engine on the ${TEST_DB} database`, () => {
  it('calls a real spoke over HTTP and returns the execution record with the result', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'one', spoke.port);
    const res = await api(
      hub,
      'POST',
      '/api/v1/tools/echo/execute',
      { arguments: { text: 'hi' } },
      { 'x-correlation-id': 'corr-123' },
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.equal(res.body.service_id, 'one');
    assert.deepEqual(res.body.result.structuredContent, { text: 'hi' });
    assert.equal(res.body.correlation_id, 'corr-123');
    assert.equal(
      spoke.log.headers.at(-1)?.['x-correlation-id'],
      'corr-123',
      'the correlation id reaches the spoke',
    );
    // One upstream session is reused across calls (the kit's spoke serves the handshake era).
    await call(hub, 'echo', { text: 'again' });
    assert.equal(spoke.sessions, 1);
  });

  it('spreads 600 calls 100/200/300 (±5%) over weights 1/2/3 with smooth weighted round robin', async (t) => {
    const hub = await startTestHub(t);
    const spokes = await Promise.all([1, 2, 3].map(() => startTestSpoke(t)));
    for (const [i, spoke] of spokes.entries())
      await register(hub, `w${i + 1}`, spoke.port, { weight: i + 1 });
    for (let batch = 0; batch < 60; batch++) {
      await Promise.all(Array.from({ length: 10 }, () => call(hub, 'echo', { text: 'x' })));
    }
    const counts = spokes.map((s) => s.log.count('echo'));
    assert.equal(
      counts.reduce((a, b) => a + b),
      600,
    );
    for (const [i, expected] of [100, 200, 300].entries()) {
      assert.ok(
        Math.abs(counts[i]! - expected) <= expected * 0.05,
        `instance ${i + 1}: ${counts[i]} calls, expected ${expected}`,
      );
    }
  });

  it('prefers the idle instance under least connections while the other is held busy', async (t) => {
    const hub = await startTestHub(t, { engine: { balancer: 'least_connections' } });
    const busy = await startTestSpoke(t);
    const idle = await startTestSpoke(t);
    await register(hub, 'lc-busy', busy.port);
    await register(hub, 'lc-idle', idle.port);
    // Hold one instance with a call that runs until released (ties put it on either of them).
    const held = call(hub, 'hold', {});
    await waitFor(() => busy.held + idle.held === 1, 'the held call at a spoke');
    const holder = busy.held === 1 ? busy : idle;
    const other = holder === busy ? idle : busy;
    for (let i = 0; i < 10; i++) await call(hub, 'echo', { text: 'x' });
    assert.equal(other.log.count('echo'), 10, 'every call went to the idle instance');
    assert.equal(holder.log.count('echo'), 0);
    holder.release();
    assert.equal((await held).body.status, 'success');
  });

  it('opens the breaker after 5 failures, fails fast, then closes after a successful probe; invalid arguments do not count', async (t) => {
    const hub = await startTestHub(t, { engine: { breakerResetMs: 400, defaultRetryAttempts: 0 } });
    const spoke = await startTestSpoke(t);
    await register(hub, 'brk', spoke.port);
    for (let i = 0; i < 10; i++) {
      const invalid = await call(hub, 'echo', { text: 42 });
      assert.equal(invalid.status, 400);
    }
    assert.equal(
      (await api(hub, 'GET', '/api/v1/services/brk')).body.breaker_state,
      'closed',
      'caller errors never open it',
    );
    spoke.log.failures.set('write', 'status500');
    for (let i = 0; i < 5; i++) assert.equal((await call(hub, 'write', { value: 'x' })).body.status, 'error');
    assert.equal(spoke.log.count('write'), 5);
    assert.equal((await api(hub, 'GET', '/api/v1/services/brk')).body.breaker_state, 'open');
    const fast = await call(hub, 'write', { value: 'x' });
    assert.equal(fast.status, 503);
    assert.equal(fast.body.error.code, 'breaker_open');
    assert.equal(spoke.log.count('write'), 5, 'the open breaker kept the call from the spoke');
    // After breakerResetMs the breaker lets one probe through.
    await waitFor(() => hub.gates.get('brk')?.state === 'half_open', 'the breaker to turn half-open');
    spoke.log.failures.delete('write');
    const probe = await call(hub, 'write', { value: 'x' });
    assert.equal(probe.body.status, 'success');
    assert.equal((await api(hub, 'GET', '/api/v1/services/brk')).body.breaker_state, 'closed');
  });

  it('refuses at once when an instance queue is full, while other services keep their latency', async (t) => {
    const hub = await startTestHub(t, {
      engine: { instanceConcurrency: 2, instanceMaxPending: 2, defaultRetryAttempts: 0 },
    });
    const slowSpoke = await startTestSpoke(t, { name: 'slowsvc' });
    const fastSpoke = await startTestSpoke(t, { name: 'fastsvc' });
    await register(hub, 'A', slowSpoke.port, {}, 'slowsvc', [TOOLS[5]]);
    await register(hub, 'B', fastSpoke.port, {}, 'fastsvc', [TOOLS[0]]);
    // Two running (the concurrency) and two waiting (the most that may wait): A is full.
    const hanging = Array.from({ length: 4 }, () => call(hub, 'hold', {}));
    await waitFor(() => slowSpoke.held === 2 && hub.gates.get('A')?.queued === 2, 'A saturated');
    const refused = await call(hub, 'hold', {});
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'instance_busy');
    assert.ok(refused.headers.get('retry-after'));
    assert.equal(slowSpoke.log.count('hold'), 2, 'the refused call never reached the spoke');
    // Service B is untouched by A's full queue: its call is answered while A stays saturated.
    const other = await call(hub, 'echo', { text: 'fast' });
    assert.equal(other.body.status, 'success');
    assert.equal(slowSpoke.held, 2, 'A was still saturated when B answered');
    await waitFor(() => {
      slowSpoke.release();
      return slowSpoke.log.count('hold') === 4 && slowSpoke.held === 0;
    }, 'every held call to be released');
    assert.deepEqual(
      (await Promise.all(hanging)).map((r) => r.body.status),
      ['success', 'success', 'success', 'success'],
    );
  });

  it('times out an attempt, cancels it upstream and records timeout', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'to', spoke.port, {}, 'svc', [
      { ...TOOLS[5], timeout_seconds: 1, retry_attempts: 0 },
    ]);
    // The spoke never answers on its own: only the hub's timeout ends the call.
    const res = await call(hub, 'hold', {});
    assert.equal(res.body.status, 'timeout');
    assert.equal(res.body.error.code, 'timeout');
    await waitFor(() => spoke.log.cancelled.length === 1, 'the spoke to receive notifications/cancelled');
  });

  it('cancels the call of a REST caller that hangs up, and the spoke sees it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'hang', spoke.port);
    const caller = new AbortController();
    const request = fetch(`${hub.url}/api/v1/tools/hold/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arguments: {} }),
      signal: caller.signal,
    });
    await waitFor(() => spoke.held === 1, 'the call running at the spoke');
    caller.abort();
    await assert.rejects(request);
    await waitFor(() => spoke.log.cancelled.length === 1, 'the spoke to see the cancellation');
    await waitFor(
      async () =>
        (await api(hub, 'GET', '/api/v1/executions?tool=hold')).body.items[0]?.status === 'cancelled',
      'the history row of the cancelled call',
    );
  });

  it('cancels a running execution through the REST API and the spoke sees it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'cx', spoke.port);
    let executionId: string | undefined;
    const running = hub.engine.execute({
      tool: 'hold',
      arguments: {},
      onAccepted: (id) => {
        executionId = id;
      },
    });
    await waitFor(() => spoke.held === 1, 'the call running at the spoke');
    const status = await api(hub, 'GET', `/api/v1/executions/${executionId}`);
    assert.equal(status.body.status, 'running');
    const cancel = await api(hub, 'POST', `/api/v1/executions/${executionId}/cancel`);
    assert.equal(cancel.status, 202);
    const record = await running;
    assert.equal(record.status, 'cancelled');
    await waitFor(() => spoke.log.cancelled.length === 1, 'the spoke to see the cancellation');
    assert.equal(
      (await api(hub, 'POST', `/api/v1/executions/${executionId}/cancel`)).status,
      409,
      'already finished',
    );
  });

  it('retries a refused connection on another instance', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'dead', await freePort());
    await register(hub, 'alive', spoke.port);
    for (let i = 0; i < 4; i++) {
      const res = await call(hub, 'write', { value: 'v' });
      assert.equal(res.body.status, 'success');
      assert.equal(res.body.service_id, 'alive');
    }
    assert.equal(spoke.log.count('write'), 4, 'never run twice');
  });

  it('never runs a non-idempotent call twice, but retries an idempotent one', async (t) => {
    const hub = await startTestHub(t);
    const first = await startTestSpoke(t);
    const second = await startTestSpoke(t);
    await register(hub, 'r1', first.port);
    await register(hub, 'r2', second.port);
    for (const spoke of [first, second]) {
      spoke.log.failures.set('write', 'reset');
      spoke.log.failures.set('add', 'reset');
    }
    const write = await call(hub, 'write', { value: 'once' });
    assert.equal(write.body.status, 'error');
    assert.equal(
      first.log.count('write') + second.log.count('write'),
      1,
      'the call that may have run is not repeated',
    );
    // One instance keeps dropping connections: the idempotent tool is retried on the other.
    second.log.failures.delete('add');
    for (let i = 0; i < 4; i++) {
      const add = await call(hub, 'add', { a: 1, b: 2 });
      assert.equal(add.body.status, 'success');
      assert.equal(add.body.service_id, 'r2');
      assert.deepEqual(add.body.result.structuredContent, { sum: 3 });
    }
    assert.ok(first.log.count('add') >= 1, 'some calls reached the failing instance first and were retried');
  });

  it('re-initialises the upstream session when the spoke restarted between two calls', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'restart', spoke.port);
    assert.equal((await call(hub, 'echo', { text: 'before' })).body.status, 'success');
    const port = spoke.port;
    await spoke.close();
    const reborn = await startTestSpoke(t, { port });
    const after = await call(hub, 'echo', { text: 'after' });
    assert.equal(after.body.status, 'success', JSON.stringify(after.body));
    assert.equal(reborn.log.count('echo'), 1);
  });

  it('writes exactly one history row per accepted call with the right statuses, and statistics add up', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    await register(hub, 'hist', spoke.port);
    const outcomes = await Promise.all([
      ...Array.from({ length: 6 }, () => call(hub, 'echo', { text: 'ok' })),
      ...Array.from({ length: 3 }, () => call(hub, 'broken', {})),
      call(hub, 'echo', { text: 7 }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.body.status ?? o.body.error.code).sort(),
      [...Array(6).fill('success'), ...Array(3).fill('error'), 'validation_failed'].sort(),
    );
    await hub.history.drain();
    const page = await api(hub, 'GET', '/api/v1/executions?limit=100');
    assert.equal(page.body.items.length, 10);
    const byStatus = (s: string) => page.body.items.filter((r: { status: string }) => r.status === s).length;
    assert.equal(byStatus('success'), 6);
    assert.equal(byStatus('error'), 3);
    assert.equal(byStatus('rejected'), 1);
    assert.equal((await api(hub, 'GET', '/api/v1/executions?status=error&tool=broken')).body.items.length, 3);
    const echo = await api(hub, 'GET', '/api/v1/tools/echo');
    assert.equal(echo.body.total_executions, 6);
    assert.equal(echo.body.successful_executions, 6);
    assert.ok(echo.body.average_duration_ms > 0);
    const broken = await api(hub, 'GET', '/api/v1/tools/broken');
    assert.equal(broken.body.total_executions, 3);
    assert.equal(broken.body.successful_executions, 0);
    const one = await api(hub, 'GET', `/api/v1/executions/${page.body.items[0].execution_id}`);
    assert.equal(one.status, 200);
    // Keyset pagination over history returns each row once.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { execution_id: string }[]; next_cursor: string | null } } = await api(
        hub,
        'GET',
        `/api/v1/executions?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...res.body.items.map((r) => r.execution_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    assert.equal(new Set(ids).size, 10);
  });

  it('still lands history rows of calls that finished just before shutdown', async (t) => {
    const hub = await startTestHub(undefined);
    const spoke = await startTestSpoke(t);
    await register(hub, 'late', spoke.port);
    const records = await Promise.all(
      Array.from({ length: 15 }, () => hub.engine.execute({ tool: 'echo', arguments: { text: 'x' } })),
    );
    await hub.close();
    // The database is closed with the hub; count through a second hub on the same schema.
    const again = await startTestHub(t, { dbSchema: hub.config.dbSchema });
    assert.equal(await again.executions.count(), records.length);
  });
});
