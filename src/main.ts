import type { PGlite } from '@electric-sql/pglite';
import { type HubConfig, isStdioService } from './config/config-schema.js';
import { defaultDataDir } from './config/load-config.js';
import { type HubDatabase, openDatabase, resolveDatabaseTarget } from './db/database.js';
import type { EmbeddedEngine } from './db/embedded-database.js';
import { migrateToLatest } from './db/migrate.js';
import { createFederatedSurface } from './execution/federated-surface.js';
import { createLogRelay } from './execution/log-relay.js';
import { startExecution } from './execution/start-execution.js';
import { createUpstreamPool } from './execution/upstream-pool.js';
import { createAccessControl } from './http/access-control.js';
import { type HttpFront, startHttpFront } from './http/http-front.js';
import { createHubTools, hubToolDefinitions } from './hub-tools/hub-tools.js';
import { createLogger, type Logger } from './logger.js';
import { createListChangedBroadcaster } from './mcp/list-changed-broadcaster.js';
import { createMcpServerFactory } from './mcp/mcp-server-factory.js';
import { openStdioFront, type StdioFront } from './mcp/stdio-front.js';
import { createHubMetrics } from './metrics.js';
import type { RegistryChange } from './registry/registry-store.js';
import { startRegistry } from './registry/start-registry.js';
import { createToolDiscovery } from './registry/tool-discovery.js';
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
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
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

    // The registry (store, sync, health and TTL loops, retention), then the engine over it.
    const ssrf = createSsrfGuard(config.ssrf);
    const upstream = createUpstreamPool({
      logger: log('upstream'),
      connectTimeoutMs: config.engine.connectTimeoutMs,
      maxResultBytes: config.engine.maxResultBytes,
      guardConnect: (url) => ssrf.check(url, 'endpoint'),
      lookup: ssrf.lookup,
      stdioServices: config.services.filter(isStdioService),
      maxSessionsPerInstance: config.engine.maxUpstreamSessionsPerInstance,
      sessionIdleMs: config.engine.upstreamSessionIdleMs,
    });
    cleanups.push(() => upstream.close());
    const registry = await startRegistry({
      config,
      database,
      target,
      logger,
      ssrf,
      discoverTools: createToolDiscovery(upstream),
      pingMcp: (endpoint, signal, headers) => upstream.ping(endpoint, signal, headers),
      watchToolLists: (listener) => upstream.onToolListChanged(listener),
      launchStdio: (service) => upstream.addStdioService(service),
    });
    cleanups.push(() => registry.close());
    const { store, sync } = registry;
    const metrics = createHubMetrics();
    cleanups.push(() => metrics.close());
    // The hub's own tools; they read the engine's gates, which exist once execution has started.
    let runtime: (serviceId: string) => { breaker_state: string; current_load: number; queued: number } =
      () => ({
        breaker_state: 'closed',
        current_load: 0,
        queued: 0,
      });
    const hubTools = createHubTools({
      routing: store.routing,
      runtime: (serviceId) => runtime(serviceId),
      search: (query, filter) => registry.service.searchTools(query, filter),
      version,
      discovery: config.mcp.toolDiscovery,
    });
    const execution = startExecution({
      config,
      database,
      store,
      sync,
      upstream,
      metrics,
      logger,
      localTools: hubTools,
    });
    runtime = execution.gates.runtime;
    const { engine, history, gates } = execution;

    // The fronts: MCP over HTTP and/or stdio, and the REST API.
    const broadcaster = createListChangedBroadcaster({
      store,
      debounceMs: config.mcp.listChangedDebounceMs,
      logger: log('mcp'),
    });
    cleanups.push(() => broadcaster.close());
    // Prompts, resources and completion of every registered server, merged and routed.
    const surface = createFederatedSurface({
      routing: store.routing,
      upstream,
      namingOf: (serviceId) => {
        const service = store.getService(serviceId);
        return { prefix: service?.tool_prefix, namespace: service?.namespace };
      },
      logger: log('mcp'),
      pageSize: config.mcp.pageSize,
    });
    // A server's own prompt or resource list change reaches the hub's clients; services coming
    // or going change the merged lists too.
    const surfaceChanged = (list: 'prompts' | 'resources') => {
      surface.invalidate(list);
      broadcaster.surfaceChanged(list);
    };
    upstream.onSurfaceListChanged((_endpoint, list) => {
      surfaceChanged(list);
      // Hubs on the same PostgreSQL drop their lists and tell their own clients too.
      sync?.announceSurfaceChange(list);
    });
    sync?.onSurfaceChange(surfaceChanged);
    const onDefinitions = (change: RegistryChange) => {
      if (change.definitionsChanged) surface.invalidate();
    };
    store.on('change', onDefinitions);
    cleanups.push(() => {
      store.off('change', onDefinitions);
    });
    // Server log messages to the sessions that set a level (logging/setLevel).
    const logs = createLogRelay({ routing: store.routing, upstream, logger: log('mcp') });
    const backend = {
      routing: store.routing,
      engine,
      surface,
      logs,
      endUpstreamSessions: (session: string) => upstream.endSession(session),
      hubTools: hubToolDefinitions(hubTools),
      progressive: config.mcp.toolDiscovery === 'progressive',
    };
    let shuttingDown = false;
    const access = createAccessControl({
      config,
      logger: log('auth'),
      sharedLimits:
        database.kind === 'postgres' ? { pool: database.pool, schema: database.schema } : undefined,
    });
    cleanups.push(() => access.close());
    const http: HttpFront | undefined = config.http
      ? await startHttpFront({
          config,
          logger,
          version,
          registry: registry.service,
          engine,
          surface,
          executions: execution.executions,
          audit: registry.audit,
          runtime: gates.runtime,
          access,
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
          freePortWhenTaken: config.stdio,
        })
      : undefined;
    let stdio: StdioFront | undefined;
    if (config.stdio) {
      stdio =
        overrides.stdioFront ??
        openStdioFront({ version, pageSize: config.mcp.pageSize, onEnd: overrides.onStdioEnd ?? (() => {}) });
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
      /** Adds this hub's recent tool calls to the rate-limit counters it shares with other hubs. */
      syncRateLimits: () => access.syncLimits(),
      store,
      /** The routing view the engine and MCP front read. */
      routing: store.routing,
      /** Prompts, resources and completion of the registered servers. */
      surface,
      registry: registry.service,
      engine,
      history,
      health: registry.health,
      retention: registry.retention,
      /** Lists a server's tools again when it says they changed. */
      toolLists: registry.toolLists,
      executions: execution.executions,
      upstream,
      gates,
      retirement: execution.retirement,
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
          execution.close();
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
