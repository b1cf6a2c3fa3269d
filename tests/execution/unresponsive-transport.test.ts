// The engine against an upstream transport that never answers and ignores the abort it is given:
// a timeout, a caller's cancellation and the shutdown must still end the call with one answer and
// one history row. Both real transports honour the abort (engine.test.ts and the federation tests
// check that the spoke sees the cancellation); this fake stands for one that does not, which only a
// fake can be, so that the engine's guarantee does not rest on its transports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createArgumentValidator } from '../../src/execution/argument-validator.js';
import { createBalancer } from '../../src/execution/balancer.js';
import { createEngine } from '../../src/execution/engine.js';
import type { ExecutionRecord } from '../../src/execution/execution-record.js';
import { createHistoryWriter } from '../../src/execution/history-writer.js';
import { createInstanceGates } from '../../src/execution/instance-gates.js';
import type { UpstreamCall, UpstreamPool } from '../../src/execution/upstream-pool.js';
import { createLogger } from '../../src/logger.js';
import { RoutingIndex } from '../../src/registry/routing-index.js';
import { CallAbortController } from '../../src/shared/call-abort.js';
import { serviceRecord, toolRecord } from '../helpers/registry-records.js';

function engineWithDeafUpstream() {
  const logger = createLogger({ level: 'silent' });
  const routing = new RoutingIndex();
  routing.upsert(serviceRecord('deaf-1'), [toolRecord('deaf-1', 'wait')]);
  /** Calls the transport received; each one's promise never settles, whatever its signal does. */
  const received: UpstreamCall[] = [];
  let onReceived: () => void = () => {};
  const upstream = {
    callTool(call: UpstreamCall) {
      received.push(call);
      onReceived();
      return new Promise(() => {});
    },
  } as unknown as UpstreamPool;
  const rows: ExecutionRecord[] = [];
  const history = createHistoryWriter({
    insertBatch: async (records) => {
      rows.push(...records);
    },
    logger,
    batchSize: 100,
    flushIntervalMs: 10,
    capacity: 1000,
  });
  const gates = createInstanceGates({
    gate: { concurrency: 4, maxPending: 4, failureThreshold: 5, resetTimeoutMs: 30_000 },
    routing,
  });
  const engine = createEngine({
    routing,
    upstream,
    balancer: createBalancer({ defaultKind: 'weighted_round_robin', inFlight: () => 0 }),
    validator: createArgumentValidator(),
    history,
    logger,
    gateFor: gates.gateFor,
    defaults: { timeoutSeconds: 3600, retryAttempts: 0, retryBaseMs: 10 },
  });
  /** Resolves once the transport holds `n` calls. */
  const untilReceived = (n: number) =>
    new Promise<void>((resolve) => {
      onReceived = () => {
        if (received.length >= n) resolve();
      };
      onReceived();
    });
  return {
    engine,
    received,
    untilReceived,
    /** Every row the history wrote, once the outbox is drained. */
    async rows() {
      await history.drain();
      return rows;
    },
    close: () => gates.close(),
  };
}

describe('an upstream transport that ignores the abort', { timeout: 30_000 }, () => {
  it('ends a call at its timeout with status timeout and one history row', async (t) => {
    const hub = engineWithDeafUpstream();
    t.after(hub.close);
    const record = await hub.engine.execute({ tool: 'wait', arguments: {}, timeoutSeconds: 0.05 });
    assert.equal(record.status, 'timeout');
    assert.equal(record.error?.code, 'timeout');
    assert.equal(hub.received.length, 1);
    assert.equal(hub.received[0]!.signal.aborted, true, 'the transport was told to abort');
    assert.deepEqual(
      (await hub.rows()).map((r) => [r.execution_id, r.status]),
      [[record.execution_id, 'timeout']],
    );
  });

  it('ends a call when its caller cancels, with status cancelled', async (t) => {
    const hub = engineWithDeafUpstream();
    t.after(hub.close);
    const caller = new CallAbortController();
    const pending = hub.engine.execute({ tool: 'wait', arguments: {}, signal: caller.signal });
    await hub.untilReceived(1);
    caller.abort(new Error('the caller went away'));
    const record = await pending;
    assert.equal(record.status, 'cancelled');
    assert.equal(hub.received[0]!.signal.aborted, true);
    assert.deepEqual(
      (await hub.rows()).map((r) => r.status),
      ['cancelled'],
    );
  });

  it('lets the engine close past its deadline, the running calls ending as shutting down', async (t) => {
    const hub = engineWithDeafUpstream();
    t.after(hub.close);
    const pending = [
      hub.engine.execute({ tool: 'wait', arguments: {} }),
      hub.engine.execute({ tool: 'wait', arguments: {} }),
    ];
    await hub.untilReceived(2);
    await hub.engine.close(10);
    const records = await Promise.all(pending);
    assert.deepEqual(
      records.map((r) => [r.status, r.error?.code]),
      [
        ['error', 'shutting_down'],
        ['error', 'shutting_down'],
      ],
    );
    assert.equal(hub.engine.inFlight, 0);
    assert.equal((await hub.rows()).length, 2);
  });
});
