import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallerAbort, createInstanceGate } from '../../src/execution/instance-gate.js';
import { UpstreamError } from '../../src/execution/upstream-errors.js';

/** The gate alone, with work the test controls: no spoke, no network, no clock. */
const gate = (overrides: Partial<Parameters<typeof createInstanceGate>[0]> = {}) =>
  createInstanceGate({
    concurrency: 2,
    maxPending: 1,
    failureThreshold: 5,
    resetTimeoutMs: 3_600_000,
    ...overrides,
  });
const fail = () => Promise.reject(new UpstreamError('may_have_run', 'HTTP 500'));
const succeed = () => Promise.resolve('ok');

describe('instance gate (queue + breaker)', () => {
  it('opens on the fifth consecutive failure even after many successes', async () => {
    const g = gate();
    for (let i = 0; i < 60; i++) await g.run(succeed);
    for (let i = 0; i < 4; i++) await assert.rejects(g.run(fail));
    assert.equal(g.state, 'closed', 'four failures in a row: still closed');
    await assert.rejects(g.run(fail));
    assert.equal(g.state, 'open');
    await assert.rejects(g.run(succeed), { code: 'breaker_open' });
    g.close();
  });

  it('counts failures in a row only: a success resets the count, caller errors and aborts do not count', async () => {
    const g = gate();
    for (let i = 0; i < 4; i++) await assert.rejects(g.run(fail));
    await g.run(succeed);
    assert.equal(g.consecutiveFailures, 0);
    for (let i = 0; i < 10; i++) {
      await assert.rejects(g.run(() => Promise.reject(new UpstreamError('caller', 'invalid params'))));
      await assert.rejects(g.run(() => Promise.reject(new CallerAbort('cancelled'))));
    }
    assert.equal(g.consecutiveFailures, 0);
    assert.equal(g.state, 'closed');
    g.close();
  });

  it('refuses at once as busy when running and waiting calls are full, and tells when it is idle', async () => {
    const g = gate();
    const releases: (() => void)[] = [];
    const held = () => new Promise<string>((resolve) => releases.push(() => resolve('done')));
    const running = [g.run(held), g.run(held), g.run(held)];
    assert.equal(g.queued, 1);
    await assert.rejects(g.run(succeed), { code: 'instance_busy' });
    let idle = false;
    const idleNow = g.idle().then(() => {
      idle = true;
    });
    // Release until every call (the queued one starts after a running one ends) has finished.
    while (releases.length > 0 || g.inFlight > 0 || g.queued > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(running), ['done', 'done', 'done']);
    await idleNow;
    assert.equal(idle, true);
    g.close();
  });
});
