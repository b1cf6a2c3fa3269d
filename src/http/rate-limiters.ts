import type pg from 'pg';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { HubConfig } from '../config/config-schema.js';

export type RateLimitKind = 'write' | 'call';

/**
 * The per-caller limits (registry writes, tool calls per minute). On PostgreSQL the counters live
 * in the database (table rate_limits), so the limits hold across every hub that shares it — a
 * caller behind a round-robin proxy cannot multiply its share by the number of hubs. Should the
 * database stop answering, each hub falls back to counting in memory (the library's insurance
 * limiter) rather than refusing or waving through every call. On the embedded database there is
 * one hub, and the counters stay in memory.
 */
export function createRateLimiters(
  config: Pick<HubConfig, 'rateLimit'>,
  shared?: { pool: pg.Pool; schema: string },
): Record<RateLimitKind, RateLimiterAbstract> {
  const limits: Record<RateLimitKind, number> = {
    write: config.rateLimit.registryWritesPerMinute,
    call: config.rateLimit.toolCallsPerMinute,
  };
  const make = (kind: RateLimitKind) => {
    const memory = new RateLimiterMemory({ points: limits[kind], duration: 60, keyPrefix: kind });
    if (!shared) return memory;
    return new RateLimiterPostgres({
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
      insuranceLimiter: memory,
    });
  };
  return { write: make('write'), call: make('call') };
}
