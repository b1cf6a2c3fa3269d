import PQueue from 'p-queue';
import { isConnectionError } from '../db/pg-errors.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from './audit-log.js';
import type { RegistryRepository } from './registry-repository.js';
import type { RegistryStore } from './registry-store.js';
import type { HealthProbe } from './registry-types.js';

export interface HealthMonitorOptions {
  repository: Pick<RegistryRepository, 'recordHealthCheck' | 'expireStale'>;
  store: RegistryStore;
  logger: Logger;
  /** Consecutive failures that make an instance unhealthy. */
  failureThreshold: number;
  /** One check's deadline, in ms. */
  timeoutMs: number;
  /** Checks at once across all instances. */
  concurrency: number;
  /** How often due checks and expired instances are looked for, in ms. */
  tickMs: number;
  /** With several hubs on one database only the leader runs the loops (registry-sync.ts). */
  isLeader?: () => boolean;
  /** Where expiries are recorded, with the hub as the actor. */
  audit?: Pick<AuditLog, 'record'>;
  /** The clock that decides which checks are due (tests pass their own). @default Date.now */
  now?: () => number;
  /** Picks the jitter of the schedule, in [0, 1) (tests pass their own). @default Math.random */
  random?: () => number;
  /** Performs one HTTP check (replaced by the SSRF-guarded fetch in production). */
  fetchHealth?: (url: string, signal: AbortSignal) => Promise<Response>;
  /**
   * Performs one check over MCP (`ping`, or `server/discover` for a 2026-07-28 server) on the
   * pooled upstream connection, for instances whose registration names no health URL. Without
   * it (unit tests of the schedule) such instances are checked by HTTP at `/health`.
   */
  pingMcp?: (endpoint: string, signal: AbortSignal, headers?: Record<string, string>) => Promise<void>;
}

/** The TTL sweep runs at least this often even when no instance in memory is due. */
const FULL_SWEEP_MS = 30_000;

/**
 * The health and TTL loops. Each active instance is checked every `health_check_interval` seconds
 * (±10% jitter so a fleet registered at once does not probe in lockstep), through one bounded
 * queue. A passing check counts as "seen" for the TTL. Expired instances are deactivated.
 */
export function createHealthMonitor(options: HealthMonitorOptions) {
  const { repository, store, logger } = options;
  const routing = store.routing;
  const queue = new PQueue({ concurrency: options.concurrency });
  const nextCheckAt = new Map<string, number>();
  const fetchHealth = options.fetchHealth ?? ((url, signal) => fetch(url, { signal, redirect: 'manual' }));
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let lastFullSweep = 0;
  let sweeps = 0;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  async function checkOne(serviceId: string): Promise<void> {
    const instance = routing.getInstance(serviceId);
    if (!instance) return;
    const outcome = await probe(instance.health, instance.upstreamHeaders);
    try {
      const updated = await repository.recordHealthCheck(serviceId, outcome, options.failureThreshold);
      if (updated) {
        if (updated.is_healthy !== instance.healthy) {
          logger.warn(updated.is_healthy ? 'instance healthy again' : 'instance unhealthy', {
            service_id: serviceId,
            reason: outcome.reason,
          });
        }
        store.apply([{ service: updated }]);
      }
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      logger.warn('health result not stored: database unavailable', { service_id: serviceId });
    }
  }

  /** One check: HTTP answers 2xx, or the MCP server answers its cheapest request, in time. */
  async function probe(
    health: HealthProbe,
    headers: Record<string, string> | undefined,
  ): Promise<{ ok: boolean; reason?: string }> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      if (health.kind === 'mcp' && options.pingMcp) {
        await options.pingMcp(health.endpoint, signal, headers);
        return { ok: true };
      }
      const url = health.kind === 'http' ? health.url : new URL('/health', health.endpoint).href;
      const response = await fetchHealth(url, signal);
      await response.body?.cancel().catch(() => {});
      return response.ok
        ? { ok: true }
        : { ok: false, reason: `health check answered HTTP ${response.status}` };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const over = health.kind === 'mcp' ? 'MCP health check' : 'health check';
      return {
        ok: false,
        reason:
          signal.aborted || e.name === 'TimeoutError'
            ? `${over} timed out after ${options.timeoutMs} ms`
            : `${over} failed: ${e.cause?.code ?? e.message}`,
      };
    }
  }

  function tick(): Promise<void> {
    ticking ??= tickOnce().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  async function tickOnce(): Promise<void> {
    if (options.isLeader && !options.isLeader()) return;
    {
      const at = now();
      for (const instance of routing.allInstances()) {
        const due = nextCheckAt.get(instance.serviceId);
        if (due === undefined) {
          // First sight: spread the first check over one interval.
          nextCheckAt.set(instance.serviceId, at + random() * instance.healthIntervalSeconds * 1000);
          continue;
        }
        if (due > at) continue;
        const jitter = 0.9 + random() * 0.2;
        nextCheckAt.set(instance.serviceId, at + instance.healthIntervalSeconds * 1000 * jitter);
        queue
          .add(() => checkOne(instance.serviceId))
          .catch((error) => logger.error('health check crashed', { error: String(error) }));
      }
      for (const id of nextCheckAt.keys()) if (!routing.getInstance(id)) nextCheckAt.delete(id);
      // The sweep is an UPDATE over every active row (no index can hold "now() past last_seen + ttl"):
      // 2-3 ms on the single embedded connection at 10,000 instances, which every registry lookup
      // queued behind it would pay. Memory knows when each instance was last seen, so the sweep runs
      // when one is due, and anyway every FULL_SWEEP_MS for rows this hub's memory does not hold
      // (another hub's registrations, a clock that disagrees with the database's).
      if (store.anyExpiredAt(at) || at - lastFullSweep >= FULL_SWEEP_MS) {
        lastFullSweep = at;
        await expire();
      }
    }
  }

  async function expire(): Promise<string[]> {
    sweeps++;
    try {
      const expired = await repository.expireStale();
      store.apply(expired.map((service) => ({ service })));
      for (const service of expired) {
        logger.warn('instance expired (not seen within its ttl_seconds)', { service_id: service.service_id });
        await options.audit?.record({
          action: 'expire',
          outcome: 'ok',
          actor: { identity: 'hub' },
          service_id: service.service_id,
          service_name: service.service_name,
          details: { last_seen: service.last_seen, ttl_seconds: service.ttl_seconds },
        });
      }
      return expired.map((service) => service.service_id);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      logger.warn('TTL sweep skipped: database unavailable');
      return [];
    }
  }

  return {
    start(): void {
      timer ??= setInterval(() => {
        tick().catch((error) => logger.error('health loop tick failed', { error: String(error) }));
      }, options.tickMs);
      timer.unref();
    },
    /** Checks one instance now (tests, and the "check now" of operators). */
    checkNow: (serviceId: string) => queue.add(() => checkOne(serviceId)),
    /** Runs the TTL sweep now. */
    expireNow: expire,
    /** Runs one pass of the loop now: due checks queued, the sweep if memory says one is due. */
    tickNow: tick,
    /** TTL sweeps run so far (each is one UPDATE over the active rows). */
    get sweeps(): number {
      return sweeps;
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      queue.clear();
      await ticking?.catch(() => {});
      await queue.onIdle();
    },
  };
}

export type HealthMonitor = ReturnType<typeof createHealthMonitor>;
