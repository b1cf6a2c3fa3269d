import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { HubConfig } from '../config/config-schema.js';

export type RateLimitKind = 'write' | 'call';

/** How often each hub adds its callers' tool calls to the shared counters (SharedCallLimiter). */
const CALL_SYNC_MS = 250;

/** What the access control needs of a limiter (rate-limiter-flexible's `consume`). */
export interface CallerLimiter {
  /** Resolves when `key` may go on; rejects with a RateLimiterRes (msBeforeNext) when it may not. */
  consume(key: string): Promise<unknown>;
}

/**
 * The per-caller limits (registry writes, tool calls per minute). On PostgreSQL the counters live
 * in the database (table rate_limits), so a limit holds across every hub that shares it — a caller
 * behind a round-robin proxy cannot multiply its share by the number of hubs. On the embedded
 * database there is one hub, and the counters stay in memory.
 *
 * Registry writes are few: each one is counted in the database as it happens (rate-limiter-flexible's
 * PostgreSQL store, memory as insurance should the database stop answering). Tool calls are the hot
 * path, where a database round trip per call cost the hub more than half its throughput
 * (bench/RESULTS.md): they are counted in memory and added to the shared counters in the background
 * (SharedCallLimiter).
 */
export function createRateLimiters(
  config: Pick<HubConfig, 'rateLimit'>,
  shared?: { pool: pg.Pool; schema: string },
): Record<RateLimitKind, CallerLimiter> & { sync(): Promise<void>; close(): void } {
  const limits: Record<RateLimitKind, number> = {
    write: config.rateLimit.registryWritesPerMinute,
    call: config.rateLimit.toolCallsPerMinute,
  };
  const memory = (kind: RateLimitKind) =>
    new RateLimiterMemory({ points: limits[kind], duration: 60, keyPrefix: kind });
  if (!shared) {
    return { write: memory('write'), call: memory('call'), sync: async () => {}, close() {} };
  }
  const inDatabase = (kind: RateLimitKind) =>
    new RateLimiterPostgres({
      storeClient: shared.pool,
      storeType: 'pool',
      schemaName: shared.schema,
      tableName: 'rate_limits',
      // Created by migration 0003; expired rows are removed by the retention pass.
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: kind,
      points: limits[kind],
      duration: 60,
      insuranceLimiter: memory(kind),
    });
  const call = new SharedCallLimiter(memory('call'), inDatabase('call'));
  const timer = setInterval(() => void call.sync(), CALL_SYNC_MS);
  timer.unref();
  return {
    write: inDatabase('write'),
    call,
    sync: () => call.sync(),
    close: () => clearInterval(timer),
  };
}

/**
 * Tool calls counted in memory — the hub's own share can never exceed the limit — and added to the
 * shared counter in PostgreSQL every CALL_SYNC_MS, one statement per caller, off the call path. A
 * caller found over the limit across all hubs is refused by this hub until the window ends. The
 * price of keeping the database off the call path: between two syncs each hub may let through
 * what it counted since the last one, so a caller may exceed its limit by at most what it sends in
 * CALL_SYNC_MS to each hub. Should the database stop answering, each hub keeps its own count.
 */
class SharedCallLimiter implements CallerLimiter {
  private pending = new Map<string, number>();
  private blockedUntil = new Map<string, number>();
  /** Callers this hub served in the last window: their shared count is read back at each sync. */
  private recent = new Map<string, number>();

  constructor(
    private readonly local: RateLimiterAbstract,
    private readonly shared: RateLimiterAbstract,
  ) {}

  async consume(key: string): Promise<unknown> {
    const until = this.blockedUntil.get(key);
    if (until !== undefined) {
      const left = until - Date.now();
      if (left > 0) throw new RateLimiterRes(0, left, 0, false);
      this.blockedUntil.delete(key);
    }
    const result = await this.local.consume(key);
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    this.recent.set(key, Date.now() + 60_000);
    return result;
  }

  /**
   * Adds the calls counted since the last sync to the shared counters, reads back those of the
   * other recent callers (other hubs may have used up their share), and blocks who is out.
   */
  async sync(): Promise<void> {
    const now = Date.now();
    for (const [key, until] of this.recent) if (until <= now) this.recent.delete(key);
    if (this.recent.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all(
      [...this.recent.keys()].map(async (key) => {
        const calls = batch.get(key);
        try {
          const counted = calls ? await this.shared.consume(key, calls) : await this.shared.get(key);
          // The limit is used up across the hubs: the next call is refused here too.
          if (counted && counted.remainingPoints <= 0)
            this.blockedUntil.set(key, Date.now() + counted.msBeforeNext);
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes)
            this.blockedUntil.set(key, Date.now() + rejection.msBeforeNext);
          // Anything else is the database not answering: this hub's own count still applies.
        }
      }),
    );
  }
}
