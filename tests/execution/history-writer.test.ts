import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionRecord } from '../../src/execution/execution-record.js';
import { createHistoryWriter } from '../../src/execution/history-writer.js';
import { createSilentLogger } from '../../src/logger.js';
import { waitFor } from '../helpers/wait-for.js';

/** The writer alone, over a fake database the test can take down: no database, no clock to wait on. */
function setUp(options: { batchSize?: number; capacity?: number } = {}) {
  const stored: string[] = [];
  let down = false;
  const writer = createHistoryWriter({
    insertBatch: async (records) => {
      if (down) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      stored.push(...records.map((r) => r.execution_id));
    },
    logger: createSilentLogger(),
    batchSize: options.batchSize ?? 3,
    flushIntervalMs: 3_600_000,
    capacity: options.capacity ?? 100,
  });
  return {
    writer,
    stored,
    setDown: (value: boolean) => {
      down = value;
    },
  };
}
const record = (n: number) => ({ execution_id: `e${n}` }) as ExecutionRecord;

describe('history writer (fake database)', () => {
  it('writes full batches at once and the rest on drain, each row once, in order', async () => {
    const { writer, stored } = setUp();
    for (let n = 1; n <= 7; n++) writer.add(record(n));
    await writer.drain();
    assert.deepEqual(stored, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    assert.equal(writer.depth, 0);
    assert.equal(writer.written, 7);
  });

  it('keeps every row through an outage and writes them when the database is back', async () => {
    const { writer, stored, setDown } = setUp();
    setDown(true);
    for (let n = 1; n <= 5; n++) writer.add(record(n));
    await writer.drain(0);
    assert.deepEqual(stored, []);
    assert.equal(writer.depth, 5, 'nothing dropped');
    setDown(false);
    await writer.drain();
    assert.deepEqual(stored, ['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('says when its outbox is full, so that the engine refuses calls rather than lose rows', async () => {
    const { writer, setDown } = setUp({ capacity: 4 });
    setDown(true);
    for (let n = 1; n <= 3; n++) writer.add(record(n));
    assert.equal(writer.hasRoom(), true);
    writer.add(record(4));
    assert.equal(writer.hasRoom(), false);
    setDown(false);
    await writer.drain();
    assert.equal(writer.hasRoom(), true);
  });
});

describe('history writer batching under load (fake database)', () => {
  it('leaves rows that arrive during a statement for the next full batch or timer, not a chasing small one', async (t) => {
    const batches: number[] = [];
    let release: () => void = () => {};
    const writer = createHistoryWriter({
      insertBatch: async (records) => {
        batches.push(records.length);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      logger: createSilentLogger(),
      batchSize: 4,
      flushIntervalMs: 3_600_000,
      capacity: 100,
    });
    // Its flush timer would keep this process alive for an hour should an assertion fail.
    t.after(() => writer.close(0));
    for (let n = 1; n <= 4; n++) writer.add(record(n));
    assert.deepEqual(batches, [4], 'a full batch goes at once');
    // Two rows arrive while that statement runs: too few for a batch.
    writer.add(record(5));
    writer.add(record(6));
    release();
    await waitFor(() => writer.written >= 4, 'the first batch written');
    await Promise.resolve();
    assert.deepEqual(
      batches,
      [4],
      'the two rows wait (before: a second statement of two rows followed at once)',
    );
    assert.equal(writer.depth, 2);
    // Enough for a batch again: it goes at once, and drain writes the remainder.
    for (let n = 7; n <= 8; n++) writer.add(record(n));
    await waitFor(() => writer.written === 8, 'the second full batch written');
    writer.add(record(9));
    await writer.drain();
    assert.deepEqual(batches, [4, 4, 1]);
    assert.equal(writer.written, 9);
  });
});
