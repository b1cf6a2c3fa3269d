import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInputRequiredBridge } from '../../src/mcp/input-required-bridge.js';
import { waitFor } from '../helpers/wait-for.js';

const question = { method: 'elicitation/create', params: { message: 'ok?' } };

describe('the input_required bridge (fast unit tests, a fake call)', () => {
  it('parks a call whose caller does not come back, then ends it and forgets its state', async () => {
    const bridge = createInputRequiredBridge({ parkTimeoutMs: 20 });
    let endedBy: unknown;
    const { outcome } = bridge.start(
      't',
      () => {},
      (signal, ask) => {
        ask(question).catch(() => {});
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            endedBy = signal.reason;
            resolve({ content: [] });
          }),
        );
      },
    );
    const round = await outcome;
    assert.equal(round.kind, 'input_required');
    const state = round.kind === 'input_required' ? round.requestState : '';
    await waitFor(() => endedBy !== undefined, 'the parked call to be ended');
    assert.match(String(endedBy), /did not answer/);
    assert.equal(bridge.parkedCalls, 0);
    assert.throws(() => bridge.resume('t', state, {}, () => {}), /Invalid or expired requestState/);
  });

  it('answers complete at once when the call asks nothing, and refuses a state for another tool', async () => {
    const bridge = createInputRequiredBridge({ parkTimeoutMs: 60_000 });
    const plain = await bridge.start(
      't',
      () => {},
      async () => ({ content: [{ type: 'text', text: 'done' }] }),
    ).outcome;
    assert.deepEqual(plain, { kind: 'complete', result: { content: [{ type: 'text', text: 'done' }] } });

    let answer: unknown;
    const asking = bridge.start(
      't',
      () => {},
      async (_signal, ask) => {
        answer = await ask(question);
        return { content: [] };
      },
    );
    const round = await asking.outcome;
    assert.equal(round.kind, 'input_required');
    if (round.kind !== 'input_required') return;
    assert.throws(
      () => bridge.resume('other', round.requestState, {}, () => {}),
      /Invalid or expired requestState/,
    );
    const [key] = Object.keys(round.inputRequests);
    const done = await bridge.resume('t', round.requestState, { [key!]: { action: 'accept' } }, () => {})
      .outcome;
    assert.equal(done.kind, 'complete');
    assert.deepEqual(answer, { action: 'accept' });
    assert.equal(bridge.parkedCalls, 0);
    bridge.close();
  });

  it('ends at shutdown a call that has not asked anything yet, and a plain call is never parked', async () => {
    const bridge = createInputRequiredBridge({ parkTimeoutMs: 60_000 });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { outcome } = bridge.start(
      't',
      () => {},
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
          started();
        }),
    );
    await running;
    // Only a call that asked its caller something has a requestState to name it.
    assert.equal(bridge.parkedCalls, 0);
    bridge.close();
    await assert.rejects(outcome, /the hub is shutting down/);
  });
});
