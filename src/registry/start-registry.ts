import type { HubConfig, StdioService } from '../config/config-schema.js';
import type { DatabaseTarget, HubDatabase } from '../db/database.js';
import { startEmbeddedMaintenance } from '../db/embedded-maintenance.js';
import { startRetention } from '../db/retention.js';
import type { Logger } from '../logger.js';
import { createGuardedFetch } from '../shared/guarded-fetch.js';
import { createSecretBox } from '../shared/secret-box.js';
import type { createSsrfGuard } from '../shared/ssrf-guard.js';
import { createAuditLog } from './audit-log.js';
import { registerConfigServices } from './config-services.js';
import { createHealthMonitor } from './health-monitor.js';
import { createRegistryRepository } from './registry-repository.js';
import { createRegistryService, type ToolDiscovery } from './registry-service.js';
import { RegistryStore } from './registry-store.js';
import { startRegistrySync } from './registry-sync.js';
import { createToolListFollower } from './tool-list-follower.js';

/**
 * The registry part of a hub: the store (one writer, see registry-store.ts), its database queries,
 * the use cases behind the REST API, the audit trail, cross-hub sync on PostgreSQL, the health and
 * TTL loops and retention. Loads the registry before it returns; `close()` stops the loops.
 */
export async function startRegistry(options: {
  config: HubConfig;
  database: HubDatabase;
  target: DatabaseTarget;
  logger: Logger;
  ssrf: ReturnType<typeof createSsrfGuard>;
  discoverTools: ToolDiscovery;
  /** The MCP health check of an instance with no health URL (the upstream pool's `ping`). */
  pingMcp: (endpoint: string, signal: AbortSignal, headers?: Record<string, string>) => Promise<void>;
  /** Subscribes to servers saying their tools changed (the upstream pool's `onToolListChanged`). */
  watchToolLists: (listener: (endpoint: string) => void) => void;
  /** Hands a command registered over REST to the upstream pool (`--allow-stdio-registration`). */
  launchStdio: (service: StdioService) => void;
}) {
  const { config, database, logger } = options;
  const log = (component: string) => logger.child({ component });
  const cleanups: (() => Promise<void> | void)[] = [];
  // Upstream credentials are sealed with the hub's key; a row this key cannot open routes without
  // them (the upstream then refuses, and the log says why).
  const secrets = config.secretKey ? createSecretBox(config.secretKey) : undefined;
  const store = new RegistryStore({
    openHeaders: (service) => {
      try {
        if (!secrets) throw new Error('no key');
        return secrets.open(service.upstream_headers_sealed!) as Record<string, string>;
      } catch {
        logger.warn('cannot open the upstream credentials of an instance (another FIN_HUB_SECRET_KEY?)', {
          service_id: service.service_id,
        });
        return undefined;
      }
    },
  });
  const repository = createRegistryRepository(database.db);
  try {
    if (database.kind === 'embedded') {
      const maintenance = startEmbeddedMaintenance({ db: database.db, logger: log('database') });
      store.on('change', () => maintenance.noteChange());
      cleanups.push(() => maintenance.close());
    }
    // Several hubs on one PostgreSQL: listening starts before the registry loads, so nothing is missed.
    const sync =
      options.target.kind === 'postgres'
        ? startRegistrySync({
            connectionString: options.target.url,
            schema: config.dbSchema,
            repository,
            store,
            logger: log('registry-sync'),
            consistencyIntervalMs: config.sync.consistencyIntervalMs,
          })
        : undefined;
    if (sync) {
      cleanups.push(() => sync.close());
      await sync.ready;
    }
    const audit = createAuditLog({ db: database.db, logger: log('audit') });
    const service = createRegistryService({
      repository,
      store,
      audit,
      defaults: {
        healthIntervalSeconds: config.health.defaultIntervalSeconds,
        ttlSeconds: config.health.defaultTtlSeconds,
        maxInstances: config.rateLimit.maxInstances,
        namespaceByServiceName: config.toolNamespaces === 'service-name',
      },
      guardUrl: (url, field) => options.ssrf.check(url, field),
      discoverTools: options.discoverTools,
      secrets,
      stdioRegistration: !config.allowStdioRegistration
        ? undefined
        : database.kind === 'postgres'
          ? {
              // Several hubs share this registry, and only the one that received it would run the command.
              refused:
                'registering a command (stdio) over REST is for a hub on the embedded database: hubs sharing PostgreSQL would route to a command only one of them runs; declare it in each hub’s config file (services)',
            }
          : { launch: options.launchStdio },
    });
    const loaded = await service.load();
    logger.info('registry loaded', { active_instances: loaded, database: database.kind });
    // This hub's own spokes register as soon as it listens, on the way to a desktop client's
    // first tools/list: their first registration should not pay for a cold embedded database.
    if (database.kind === 'embedded' && config.spokes.length > 0) {
      const rehearsal = repository
        .rehearseRegistration()
        .catch((error: unknown) => logger.debug('registration rehearsal failed', { error: String(error) }));
      cleanups.push(() => rehearsal);
    }

    const healthFetch = createGuardedFetch(options.ssrf.lookup);
    const health = createHealthMonitor({
      repository,
      store,
      audit,
      isLeader: sync?.isLeader,
      logger: log('health'),
      failureThreshold: config.health.failureThreshold,
      timeoutMs: config.health.timeoutMs,
      concurrency: config.health.concurrency,
      tickMs: config.health.tickMs,
      fetchHealth: async (url, signal) => {
        await options.ssrf.check(url, 'health_check.http');
        return healthFetch(url, { signal, redirect: 'manual' });
      },
      // The upstream pool guards its connections against SSRF itself (guardConnect).
      pingMcp: options.pingMcp,
    });
    health.start();
    cleanups.push(() => health.close());
    const retention = startRetention({
      db: database.db,
      policy: config.retention,
      logger: log('retention'),
      isLeader: sync?.isLeader,
      onServicesDeleted: (ids) => store.forget(ids),
    });
    cleanups.push(() => retention.close());
    const toolLists = createToolListFollower({ store, service, logger: log('registry') });
    options.watchToolLists((endpoint) => toolLists.toolsChanged(endpoint));
    cleanups.push(() => toolLists.settled());
    // Servers the config file declares (stdio or HTTP): listed before the hub serves, so the first
    // tools/list already has their tools (one that cannot start is retried in the background).
    const configured = registerConfigServices({
      services: config.services,
      registry: service,
      logger: log('stdio'),
      healthIntervalSeconds: config.health.defaultIntervalSeconds,
    });
    cleanups.push(() => configured.close());
    await configured.started;

    return {
      store,
      service,
      audit,
      sync,
      health,
      retention,
      toolLists,
      /** Stops the loops and the sync connection, in reverse order of start. */
      async close(): Promise<void> {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    throw error;
  }
}
