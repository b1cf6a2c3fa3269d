import type { Logger } from '../logger.js';
import type { ExecutionRecord } from './execution-record.js';

export interface HistoryWriterOptions {
  insertBatch: (records: ExecutionRecord[]) => Promise<void>;
  logger: Logger;
  /** Rows per insert statement. */
  batchSize: number;
  /** Longest a row waits before a flush starts, in ms. */
  flushIntervalMs: number;
  /** Rows held while the database is unreachable; past this the engine refuses new calls. */
  capacity: number;
}

/**
 * Writes finished executions behind the calls: `add` only appends to an in-memory outbox; a timer
 * flushes it in batches. A failed flush keeps the rows and retries with backoff, so a database
 * outage delays rows and never drops them. Bounded: `hasRoom` turns false when the outbox is full.
 */
export function createHistoryWriter(options: HistoryWriterOptions) {
  const { logger } = options;
  let outbox: ExecutionRecord[] = [];
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let written = 0;

  function schedule(delay: number): void {
    if (timer || outbox.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delay);
  }

  /**
   * Writes what waits, then goes on only while a full batch waits (or everything, when draining).
   * Rows that arrive during a statement wait for the next timer or full batch: a flush that chased
   * them wrote back-to-back batches of ~30 rows under load, and the embedded database costs
   * 110–160 µs a row in those against 60–85 in batches of 200 (bench/history-insert.ts; the hub's
   * database thread was at 110–130 µs per call at c=10).
   */
  async function flushOnce(all: boolean): Promise<void> {
    do {
      const batch = outbox.slice(0, options.batchSize);
      await options.insertBatch(batch);
      outbox = outbox.slice(batch.length);
      written += batch.length;
    } while (outbox.length >= options.batchSize || (all && outbox.length > 0));
  }

  function flush(all = false): Promise<void> {
    if (outbox.length === 0 && !flushing) return Promise.resolve();
    flushing ??= flushOnce(all)
      .then(() => {
        failures = 0;
      })
      .catch((error) => {
        failures++;
        logger.warn('history flush failed; rows kept for retry', {
          rows: outbox.length,
          error: String(error),
        });
      })
      .finally(() => {
        flushing = undefined;
        schedule(failures === 0 ? options.flushIntervalMs : Math.min(30_000, 250 * 2 ** failures));
      });
    return flushing;
  }

  return {
    add(record: ExecutionRecord): void {
      outbox.push(record);
      if (outbox.length >= options.batchSize && failures === 0) void flush();
      else schedule(options.flushIntervalMs);
    },
    hasRoom(): boolean {
      return outbox.length < options.capacity;
    },
    /** Rows waiting to be written. */
    get depth(): number {
      return outbox.length;
    },
    get written(): number {
      return written;
    },
    /** Writes everything now; resolves once the outbox is empty or `deadlineMs` passed. */
    async drain(deadlineMs = 10_000): Promise<void> {
      const end = Date.now() + deadlineMs;
      while (outbox.length > 0 || flushing !== undefined) {
        if (timer) {
          clearTimeout(timer);
          timer = undefined;
        }
        await flush(true);
        if (outbox.length === 0) break;
        if (Date.now() > end) {
          logger.error('history not fully written before the deadline', { rows: outbox.length });
          return;
        }
        // A failed flush is tried again after a pause; rows left by a flush that had begun
        // before the drain (it writes full batches only) go at once.
        if (failures > 0) await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close(deadlineMs?: number): Promise<void> {
      await this.drain(deadlineMs);
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type HistoryWriter = ReturnType<typeof createHistoryWriter>;
