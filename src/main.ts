import type { PGlite } from '@electric-sql/pglite';
import type { HubConfig } from './config/config-schema.js';
import { defaultDataDir } from './config/load-config.js';
import { type HubDatabase, openDatabase, resolveDatabaseTarget } from './db/database.js';
import type { EmbeddedEngine } from './db/embedded-database.js';
import { startEmbeddedMaintenance } from './db/embedded-maintenance.js';
import { migrateToLatest } from './db/migrate.js';
import { startRetention } from './db/retention.js';
import { createArgumentValidator } from './execution/argument-validator.js';
import { createBalancer } from './execution/balancer.js';
import { createEngine } from './execution/engine.js';
import { createExecutionRepository } from './execution/execution-repository.js';
import { createHistoryWriter } from './execution/history-writer.js';
import { createInstanceGates } from './execution/instance-gates.js';
import { startInstanceRetirement } from './execution/instance-retirement.js';
import { createUpstreamPool } from './execution/upstream-pool.js';
import { createAccessControl } from './http/access-control.js';
import { type HttpFront, startHttpFront } from './http/http-front.js';
import { createLogger, type Logger } from './logger.js';
import { createListChangedBroadcaster } from './mcp/list-changed-broadcaster.js';
import { createMcpServerFactory } from './mcp/mcp-server-factory.js';
import { openStdioFront, type StdioFront } from './mcp/stdio-front.js';
import { createHubMetrics } from './metrics.js';
import { createAuditLog } from './registry/audit-log.js';
import { createHealthMonitor } from './registry/health-monitor.js';
import { createRegistryRepository } from './registry/registry-repository.js';
import { createRegistryService } from './registry/registry-service.js';
import { RegistryStore } from './registry/registry-store.js';
import { startRegistrySync } from './registry/registry-sync.js';
import { createToolDiscovery } from './registry/tool-discovery.js';
import { createGuardedFetch } from './shared/guarded-fetch.js';
import { packageVersion } from './shared/package-root.js';
import { createSsrfGuard } from './shared/ssrf-guard.js';

export interface HubOverrides {
  logger?: Logger;
  /** An embedded database already started: shared with the caller (tests), or handed over (the CLI). */
  pglite?: PGlite | EmbeddedEngine;
  /** The hub closes `pglite` when it closes. */
  ownsPglite?: boolean;
  /** Called when stdin ends in stdio mode. */
  onStdioEnd?: () => void;
  /** A stdio front the CLI opened before loading the hub (it already answers initialize). */
  stdioFront?: StdioFront;
}

/**
 * The composition root: config → logger → database → registry store → engine → fronts. Each part
 * lives in its own module; this only connects them. Returns the running hub with `close()`, which
 * shuts everything down in reverse order.
 */
export async function startHub(config: HubConfig, overrides: HubOverrides = {}) {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const log = (component: string) => logger.child({ component });
  const version = packageVersion();
  const target = overrides.pglite
    ? ({ kind: 'pglite', instance: overrides.pglite, owned: overrides.ownsPglite } as const)
    : resolveDatabaseTarget(config.db, defaultDataDir());
  const database: HubDatabase = await openDatabase({ target, schema: config.dbSchema, logger });
  const cleanups: (() => Promise<void> | void)[] = [() => database.close()];
  try {
    const applied = await migrateToLatest(database);
    if (applied.length) logger.info('migrations applied', { migrations: applied });

    // The registry: one store in memory, written only from rows the database returned.
    const store = new RegistryStore();
    const repository = createRegistryRepository(database.db);
    if (database.kind === 'embedded') {
      const maintenance = startEmbeddedMaintenance({ db: database.db, logger: log('database') });
      store.on('change', () => maintenance.noteChange());
      cleanups.push(() => maintenance.close());
    }
    // Several hubs on one PostgreSQL: listening starts before the registry loads, so nothing is missed.
    const sync =
      target.kind === 'postgres'
        ? startRegistrySync({
            connectionString: target.url,
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
    const ssrf = createSsrfGuard(config.ssrf);
    const upstream = createUpstreamPool({
      logger: log('upstream'),
      connectTimeoutMs: config.engine.connectTimeoutMs,
      maxResultBytes: config.engine.maxResultBytes,
      guardConnect: (url) => ssrf.check(url, 'endpoint'),
      lookup: ssrf.lookup,
    });
    cleanups.push(() => upstream.close());
    const audit = createAuditLog({ db: database.db, logger: log('audit') });
    const registry = createRegistryService({
      repository,
      store,
      audit,
      defaults: {
        healthIntervalSeconds: config.health.defaultIntervalSeconds,
        ttlSeconds: config.health.defaultTtlSeconds,
        maxInstances: config.rateLimit.maxInstances,
      },
      guardUrl: (url, field) => ssrf.check(url, field),
      discoverTools: createToolDiscovery(upstream),
    });
    const loaded = await registry.load();
    logger.info('registry loaded', { active_instances: loaded, database: database.kind });

    // The engine: per-instance gates, balancing, history written behind.
    const metrics = createHubMetrics();
    cleanups.push(() => metrics.close());
    const gates = createInstanceGates({
      gate: {
        concurrency: config.engine.instanceConcurrency,
        maxPending: config.engine.instanceMaxPending,
        failureThreshold: config.engine.breakerFailureThreshold,
        resetTimeoutMs: config.engine.breakerResetMs,
      },
      routing: store.routing,
      onStateChange: (serviceId, state) => {
        logger.warn('circuit breaker state changed', { service_id: serviceId, state });
        metrics.breakerState(serviceId, state);
      },
    });
    const balancer = createBalancer({
      defaultKind: config.engine.balancer,
      inFlight: (id) => gates.get(id)?.inFlight ?? 0,
    });
    const retirement = startInstanceRetirement({
      store,
      gates,
      balancer,
      forgetEndpoint: (endpoint) => upstream.forget(endpoint),
      forgetMetrics: (id) => metrics.forgetInstance(id),
      logger: log('registry'),
    });
    cleanups.push(() => retirement.close());
    const executions = createExecutionRepository(database.db);
    const historyLogger = log('history');
    const history = createHistoryWriter({
      insertBatch: async (records) => {
        const { stats, setAside } = await executions.insertBatch(records);
        store.applyStats(stats);
        sync?.announceStats(stats);
        for (const { record, reason } of setAside) {
          historyLogger.error('history row set aside: the database refused it even without its payload', {
            execution_id: record.execution_id,
            tool: record.tool_id,
            status: record.status,
            reason,
          });
          metrics.historySetAside();
        }
      },
      logger: historyLogger,
      batchSize: config.history.batchSize,
      flushIntervalMs: config.history.flushIntervalMs,
      capacity: config.history.outboxCapacity,
    });
    const engine = createEngine({
      routing: store.routing,
      upstream,
      balancer,
      validator: createArgumentValidator(),
      history,
      logger: log('engine'),
      gateFor: gates.gateFor,
      defaults: {
        timeoutSeconds: config.engine.defaultTimeoutSeconds,
        retryAttempts: config.engine.defaultRetryAttempts,
        retryBaseMs: config.engine.retryBaseMs,
      },
      onFinished: (record) => metrics.observeExecution(record),
    });
    const healthFetch = createGuardedFetch(ssrf.lookup);
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
        await ssrf.check(url, 'health_check.http');
        return healthFetch(url, { signal, redirect: 'manual' });
      },
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

    // The fronts: MCP over HTTP and/or stdio, and the REST API.
    const broadcaster = createListChangedBroadcaster({
      store,
      debounceMs: config.mcp.listChangedDebounceMs,
      logger: log('mcp'),
    });
    cleanups.push(() => broadcaster.close());
    const backend = { routing: store.routing, engine };
    let shuttingDown = false;
    const http: HttpFront | undefined = config.http
      ? await startHttpFront({
          config,
          logger,
          version,
          registry,
          engine,
          executions,
          audit,
          runtime: gates.runtime,
          access: createAccessControl({ config, logger: log('auth') }),
          metrics,
          gauges: () => ({
            gates: gates.entries(),
            instances: store.routing.instanceCount,
            tools: store.routing.visibleTools().length,
            outbox: history.depth,
          }),
          createMcpServer: createMcpServerFactory({ backend, pageSize: config.mcp.pageSize, version }),
          broadcaster,
          pingDatabase: () => database.ping(),
          flushHistory: () => history.drain(2000),
          isShuttingDown: () => shuttingDown,
        })
      : undefined;
    let stdio: StdioFront | undefined;
    if (config.stdio) {
      stdio =
        overrides.stdioFront ??
        openStdioFront({ version, pageSize: config.mcp.pageSize, onEnd: overrides.onStdioEnd ?? (() => {}) });
      await stdio.connected;
      stdio.attach(backend, broadcaster);
    }
    const url = http?.url;
    if (url) logger.info('fin-hub listening', { url, mcp: `${url}/mcp`, docs: `${url}/docs` });

    let closed: Promise<void> | undefined;
    return {
      url,
      config,
      logger,
      database,
      store,
      /** The routing view the engine and MCP front read. */
      routing: store.routing,
      registry,
      engine,
      history,
      health,
      retention,
      executions,
      upstream,
      gates,
      retirement,
      metrics,
      sync,
      /** Runs the health and TTL loops (always, on the embedded database; see registry-sync.ts). */
      get leader() {
        return sync?.isLeader() ?? true;
      },
      get sessions() {
        return http?.sessions ?? 0;
      },
      /** Graceful shutdown: readiness fails, stop accepting, drain calls, flush history, close. */
      close(): Promise<void> {
        closed ??= (async () => {
          shuttingDown = true;
          logger.info('shutting down', { in_flight: engine.inFlight });
          const stopped = http?.stopAccepting();
          await engine.close(config.shutdownDeadlineMs);
          await stdio?.close();
          await http?.closeAll();
          await stopped;
          await history.close(config.shutdownDeadlineMs);
          gates.close();
          for (const cleanup of cleanups.reverse()) await cleanup();
          logger.info('stopped');
        })();
        return closed;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    throw error;
  }
}

export type Hub = Awaited<ReturnType<typeof startHub>>;
