import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { RegistryDirectory, ToolStatsRow } from './registry-directory.js';
import type { RegistryRepository } from './registry-repository.js';
import type { RegistrySnapshot } from './registry-snapshot.js';

export interface RegistrySyncOptions {
  /** The PostgreSQL every hub of the group shares. */
  connectionString: string;
  /** Hubs share a registry when they share a schema; channel and lock are per schema. */
  schema: string;
  repository: RegistryRepository;
  directory: RegistryDirectory;
  snapshot: RegistrySnapshot;
  logger: Logger;
  /** How often a follower tries to take the lead, and a lost connection is retried, in ms. */
  retryMs?: number;
}

/** What one hub tells the others. */
type Notice =
  | { hub: string; service: string }
  | { hub: string; stats: [string, string, string, string, number, string | null][] };

// PostgreSQL refuses a NOTIFY payload above 8000 bytes; statistics go in chunks well below it.
const STATS_PER_NOTICE = 30;

/**
 * Several hubs on one PostgreSQL (SPEC §9). Each hub keeps one dedicated connection that
 *  - LISTENs on the schema's channel: a registration, deregistration, health change or expiry made
 *    by another hub is re-read from the database into this hub's snapshot and directory (the
 *    snapshot's change event then tells this hub's MCP clients that the list changed), and the
 *    statistics another hub's history batches computed are applied as they are;
 *  - tries to hold a session-level advisory lock: its holder is the leader, the one hub that runs
 *    the health and TTL loops. The lock dies with the connection, so when the leader stops or
 *    crashes another hub takes it within `retryMs`.
 * Heartbeats are not announced (one per instance every few seconds would flood the channel): a
 * hub shows the `last_seen` it has seen itself, and the leader's TTL sweep reads the database.
 */
export function startRegistrySync(options: RegistrySyncOptions) {
  const { repository, directory, snapshot, logger } = options;
  const hubId = randomUUID();
  const channel = `fin_hub_registry_${options.schema}`;
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let leader = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // The publisher: a second connection, so that a NOTIFY never waits behind the listener's lock tries.
  const publisher = new pg.Pool({ connectionString: options.connectionString, max: 1 });
  publisher.on('error', (error) => logger.warn('registry sync publisher lost', { error: error.message }));

  async function refresh(serviceId: string): Promise<void> {
    const found = await repository.getService(serviceId);
    if (!found) return;
    if (found.service.is_active) {
      directory.register(found.service, found.tools);
      snapshot.upsert(found.service, found.tools);
    } else {
      directory.update(found.service);
      snapshot.remove(serviceId);
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
    directory.updateStats(rows);
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: options.connectionString });
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

  const ready = tend();
  timer = setInterval(() => void tend(), retryMs);
  timer.unref();

  return {
    /** The first connection attempt (and lock try) has finished. */
    ready,
    /** This hub holds the lock: it runs the health and TTL loops. */
    isLeader: () => leader,
    /** A service changed in the database: the other hubs re-read it. */
    announce(serviceId: string): void {
      publish({ hub: hubId, service: serviceId });
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
