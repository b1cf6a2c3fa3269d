import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { ToolStatsRow } from './registry-directory.js';
import type { RegistryRepository } from './registry-repository.js';
import type { RegistryChange, RegistryStore } from './registry-store.js';

export interface RegistrySyncOptions {
  /** The PostgreSQL every hub of the group shares. */
  connectionString: string;
  /** Hubs share a registry when they share a schema; channel and lock are per schema. */
  schema: string;
  repository: RegistryRepository;
  store: RegistryStore;
  logger: Logger;
  /** How often a follower tries to take the lead, and a lost connection is retried, in ms. */
  retryMs?: number;
  /**
   * How often the whole registry is re-read and compared with memory, in ms: the bound on how long
   * a lost notice can leave this hub stale (NOTIFY is not delivered to a connection that was down).
   * @default 30000
   */
  consistencyIntervalMs?: number;
}

/** What one hub tells the others. */
type Notice =
  | { hub: string; service: string }
  | { hub: string; stats: [string, string, string, string, number, string | null][] }
  /** A server told this hub its prompt or resource list changed (not stored: each hub re-lists). */
  | { hub: string; surface: 'prompts' | 'resources' };

// PostgreSQL refuses a NOTIFY payload above 8000 bytes; statistics go in chunks well below it.
const STATS_PER_NOTICE = 30;

/**
 * Several hubs on one PostgreSQL (SPEC §9). Each hub keeps one dedicated connection that
 *  - LISTENs on the schema's channel: a registration, deregistration, health change or expiry made
 *    by another hub is re-read from the database into this hub's store (whose change event then
 *    tells this hub's MCP clients that the list changed), and the statistics another hub's history
 *    batches computed are applied as they are. This hub's own changes are announced the same way:
 *    it subscribes to the store's local changes;
 *  - re-reads the whole registry after every reconnect (notices sent while it was away are lost)
 *    and every `consistencyIntervalMs`, so that no missed notice outlives one pass;
 *  - tries to hold a session-level advisory lock: its holder is the leader, the one hub that runs
 *    the health and TTL loops. The lock dies with the connection, so when the leader stops or
 *    crashes another hub takes it within `retryMs`.
 * Heartbeats are not announced (one per instance every few seconds would flood the channel): a
 * hub shows the `last_seen` it has seen itself, and the leader's TTL sweep reads the database.
 */
export function startRegistrySync(options: RegistrySyncOptions) {
  const { repository, store, logger } = options;
  const hubId = randomUUID();
  const listenerName = `fin-hub registry-sync ${hubId}`;
  const channel = `fin_hub_registry_${options.schema}`;
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let leader = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // The publisher: a second connection, so that a NOTIFY never waits behind the listener's lock tries.
  const publisher = new pg.Pool({ connectionString: options.connectionString, max: 1 });
  const surfaceListeners = new Set<(list: 'prompts' | 'resources') => void>();
  publisher.on('error', (error) => logger.warn('registry sync publisher lost', { error: error.message }));

  async function refresh(serviceId: string): Promise<void> {
    const found = await repository.getService(serviceId);
    if (!found) return;
    store.apply([found.service.is_active ? found : { service: found.service }], 'remote');
  }

  /** Re-reads every row and applies what differs from memory, statistics included. */
  async function reconcile(reason: string): Promise<void> {
    const { services, tools } = await repository.loadAll();
    const change = store.reconcile(services, tools, 'remote');
    store.applyStats(tools);
    if (change.changed.length > 0) {
      logger.info('registry re-read: memory had missed changes', {
        reason,
        instances: change.changed.length,
      });
    }
  }

  function onNotice(payload: string | undefined): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload ?? '') as Notice;
    } catch {
      return;
    }
    if (notice.hub === hubId) return;
    if ('surface' in notice) {
      if (notice.surface === 'prompts' || notice.surface === 'resources')
        for (const listener of surfaceListeners) listener(notice.surface);
      return;
    }
    if ('service' in notice) {
      refresh(notice.service).catch((error) =>
        logger.warn('registry change from another hub not applied', {
          service_id: notice.service,
          error: String(error),
        }),
      );
      return;
    }
    const rows: ToolStatsRow[] = notice.stats.map(([service_id, name, total, successful, average, last]) => ({
      service_id,
      name,
      total_executions: total,
      successful_executions: successful,
      average_duration_ms: average,
      last_executed: last === null ? null : new Date(last),
    }));
    store.applyStats(rows);
  }

  let connectedBefore = false;
  async function connect(): Promise<void> {
    // Named, so that an operator (or a test) can tell which hub a listening connection is.
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: listenerName,
    });
    next.on('error', (error) => {
      logger.warn('registry sync connection lost', { error: error.message, was_leader: leader });
      leader = false;
      if (client === next) client = undefined;
      next.end().catch(() => {});
    });
    next.on('notification', (message) => onNotice(message.payload));
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    client = next;
    // The first connection is made before the hub loads the registry; every later one follows a gap
    // during which notices were lost.
    if (connectedBefore) await reconcile('listen connection re-established');
    connectedBefore = true;
  }

  let tending: Promise<void> | undefined;
  /** Connects when needed, then tries for the lead; runs every `retryMs`, never twice at once. */
  function tend(): Promise<void> {
    tending ??= tendOnce().finally(() => {
      tending = undefined;
    });
    return tending;
  }

  async function tendOnce(): Promise<void> {
    if (closed) return;
    try {
      if (!client) await connect();
      if (!leader && client) {
        const { rows } = await client.query<{ held: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
          [`fin-hub leader ${options.schema}`],
        );
        if (rows[0]?.held) {
          leader = true;
          logger.info('this hub now runs the health and TTL loops (leader)');
        }
      }
    } catch (error) {
      logger.warn('registry sync: database unreachable, retrying', { error: String(error) });
      leader = false;
      const lost = client;
      client = undefined;
      await lost?.end().catch(() => {});
    }
  }

  function publish(notice: Notice): void {
    if (closed) return;
    publisher
      .query('SELECT pg_notify($1, $2)', [channel, JSON.stringify(notice)])
      .catch((error) => logger.warn('registry change not announced', { error: String(error) }));
  }

  const onLocalChange = (change: RegistryChange) => {
    if (change.origin !== 'local') return;
    for (const serviceId of change.changed) publish({ hub: hubId, service: serviceId });
  };
  store.on('change', onLocalChange);

  const ready = tend();
  timer = setInterval(() => void tend(), retryMs);
  timer.unref();
  const consistency = setInterval(() => {
    if (!client) return;
    reconcile('periodic consistency pass').catch((error) =>
      logger.warn('registry consistency pass failed', { error: String(error) }),
    );
  }, options.consistencyIntervalMs ?? 30_000);
  consistency.unref();

  return {
    /** The first connection attempt (and lock try) has finished. */
    ready,
    /** The application_name of this hub's listening connection. */
    listenerName,
    /** This hub holds the lock: it runs the health and TTL loops. */
    isLeader: () => leader,
    /** Re-reads the whole registry now (tests, and after an operator repaired the database). */
    reconcile: () => reconcile('requested'),
    /** Tells the other hubs a server said its prompt or resource list changed. */
    announceSurfaceChange(list: 'prompts' | 'resources'): void {
      publish({ hub: hubId, surface: list });
    },
    /** Tells `listener` of every prompt or resource list change another hub heard of. */
    onSurfaceChange(listener: (list: 'prompts' | 'resources') => void): void {
      surfaceListeners.add(listener);
    },
    /** Statistics after one of this hub's history batches. */
    announceStats(rows: ToolStatsRow[]): void {
      for (let i = 0; i < rows.length; i += STATS_PER_NOTICE) {
        publish({
          hub: hubId,
          stats: rows
            .slice(i, i + STATS_PER_NOTICE)
            .map((row) => [
              row.service_id,
              row.name,
              String(row.total_executions),
              String(row.successful_executions),
              row.average_duration_ms,
              row.last_executed === null ? null : new Date(row.last_executed).toISOString(),
            ]),
        });
      }
    },
    async close(): Promise<void> {
      closed = true;
      store.off('change', onLocalChange);
      clearInterval(consistency);
      if (timer) clearInterval(timer);
      timer = undefined;
      await ready.catch(() => {});
      leader = false;
      await client?.end().catch(() => {});
      client = undefined;
      await publisher.end().catch(() => {});
    },
  };
}

export type RegistrySync = ReturnType<typeof startRegistrySync>;
