import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { HubConfig } from './config/config-schema.js';
import { defaultDataDir } from './config/load-config.js';
import { type HubDatabase, openDatabase, resolveDatabaseTarget } from './db/database.js';
import type { EmbeddedEngine } from './db/embedded-database.js';
import { startEmbeddedMaintenance } from './db/embedded-maintenance.js';
import { migrateToLatest } from './db/migrate.js';
import { createArgumentValidator } from './execution/argument-validator.js';
import { createBalancer } from './execution/balancer.js';
import { createEngine } from './execution/engine.js';
import { createExecutionRepository } from './execution/execution-repository.js';
import { createHistoryWriter } from './execution/history-writer.js';
import { createInstanceGate, type InstanceGate } from './execution/instance-gate.js';
import { createUpstreamPool } from './execution/upstream-pool.js';
import { createAccessControl } from './http/access-control.js';
import { createApp } from './http/create-app.js';
import { createLogger, type Logger } from './logger.js';
import { createMcpHttp } from './mcp/http-session-manager.js';
import { createListChangedBroadcaster } from './mcp/list-changed-broadcaster.js';
import { createMcpServerFactory } from './mcp/mcp-server-factory.js';
import { createRawMcpFront } from './mcp/raw-mcp-front.js';
import { openStdioFront, type StdioFront } from './mcp/stdio-front.js';
import { createHubMetrics } from './metrics.js';
import { createHealthMonitor } from './registry/health-monitor.js';
import { toolRegistrationSchema } from './registry/registration-schema.js';
import { RegistryDirectory } from './registry/registry-directory.js';
import { createRegistryRepository } from './registry/registry-repository.js';
import { createRegistryService } from './registry/registry-service.js';
import { RegistrySnapshot } from './registry/registry-snapshot.js';
import { startRegistrySync } from './registry/registry-sync.js';
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
 * The composition root: config → logger → database → registry → engine → fronts. Returns the
 * running hub with `close()`, which shuts everything down in reverse order.
 */
export async function startHub(config: HubConfig, overrides: HubOverrides = {}) {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const version = packageVersion();
  const target = overrides.pglite
    ? ({ kind: 'pglite', instance: overrides.pglite, owned: overrides.ownsPglite } as const)
    : resolveDatabaseTarget(config.db, defaultDataDir());
  const database: HubDatabase = await openDatabase({ target, schema: config.dbSchema, logger });
  const cleanups: (() => Promise<void> | void)[] = [() => database.close()];
  try {
    const applied = await migrateToLatest(database);
    if (applied.length) logger.info('migrations applied', { migrations: applied });
    const maintenance =
      database.kind === 'embedded'
        ? startEmbeddedMaintenance({ db: database.db, logger: logger.child({ component: 'database' }) })
        : undefined;
    if (maintenance) cleanups.push(() => maintenance.close());

    const ssrf = createSsrfGuard(config.ssrf);
    const snapshot = new RegistrySnapshot();
    const directory = new RegistryDirectory();
    const repository = createRegistryRepository(database.db);
    // Several hubs on one PostgreSQL: changes and statistics travel by LISTEN/NOTIFY, and one
    // leader runs the health and TTL loops. Listening starts before the registry loads, so nothing
    // changed meanwhile is missed.
    const sync =
      target.kind === 'postgres'
        ? startRegistrySync({
            connectionString: target.url,
            schema: config.dbSchema,
            repository,
            directory,
            snapshot,
            logger: logger.child({ component: 'registry-sync' }),
          })
        : undefined;
    if (sync) {
      cleanups.push(() => sync.close());
      await sync.ready;
    }
    const executions = createExecutionRepository(database.db);
    const upstream = createUpstreamPool({
      logger: logger.child({ component: 'upstream' }),
      connectTimeoutMs: config.engine.connectTimeoutMs,
      maxResultBytes: config.engine.maxResultBytes,
      guardConnect: (url) => ssrf.check(url, 'endpoint'),
    });
    cleanups.push(() => upstream.close());
    const registry = createRegistryService({
      repository,
      snapshot,
      directory,
      announce: sync?.announce,
      logger: logger.child({ component: 'registry' }),
      defaults: {
        healthIntervalSeconds: config.health.defaultIntervalSeconds,
        ttlSeconds: config.health.defaultTtlSeconds,
        maxInstances: config.rateLimit.maxInstances,
      },
      guardUrl: (url, field) => ssrf.check(url, field),
      discoverTools: async (url) => {
        const tools = await upstream.listTools(url);
        return tools.map((t) =>
          toolRegistrationSchema.parse({
            name: t.name,
            title: t.title,
            description: t.description,
            input_schema: t.inputSchema,
            output_schema: t.outputSchema,
            annotations: t.annotations,
          }),
        );
      },
    });
    const loaded = await registry.loadSnapshot();
    logger.info('registry loaded', { active_instances: loaded, database: database.kind });

    const metrics = createHubMetrics();
    cleanups.push(() => metrics.close());
    const gates = new Map<string, InstanceGate>();
    const gateFor = (serviceId: string): InstanceGate => {
      let gate = gates.get(serviceId);
      if (!gate) {
        gate = createInstanceGate({
          concurrency: config.engine.instanceConcurrency,
          maxPending: config.engine.instanceMaxPending,
          failureThreshold: config.engine.breakerFailureThreshold,
          resetTimeoutMs: config.engine.breakerResetMs,
          onStateChange: (state) => {
            logger.warn('circuit breaker state changed', { service_id: serviceId, state });
            metrics.breakerState(serviceId, state);
          },
        });
        gates.set(serviceId, gate);
      }
      return gate;
    };
    const balancer = createBalancer({
      defaultKind: config.engine.balancer,
      inFlight: (id) => gates.get(id)?.inFlight ?? 0,
    });
    snapshot.on('change', ({ serviceIds }) => {
      maintenance?.noteChange();
      for (const id of serviceIds) {
        if (snapshot.getInstance(id)) continue;
        // Gone from the registry: drop its breaker, balancer state and upstream session.
        const gate = gates.get(id);
        if (gate && gate.inFlight === 0 && gate.queued === 0) {
          gate.close();
          gates.delete(id);
          metrics.forgetInstance(id);
        }
        balancer.forget(id);
      }
    });
    const history = createHistoryWriter({
      insertBatch: async (records) => {
        const stats = await executions.insertBatch(records);
        directory.updateStats(stats);
        sync?.announceStats(stats);
      },
      logger: logger.child({ component: 'history' }),
      batchSize: config.history.batchSize,
      flushIntervalMs: config.history.flushIntervalMs,
      capacity: config.history.outboxCapacity,
    });
    const engine = createEngine({
      snapshot,
      upstream,
      balancer,
      validator: createArgumentValidator(),
      history,
      logger: logger.child({ component: 'engine' }),
      gateFor,
      defaults: {
        timeoutSeconds: config.engine.defaultTimeoutSeconds,
        retryAttempts: config.engine.defaultRetryAttempts,
        retryBaseMs: config.engine.retryBaseMs,
      },
      onFinished: (record) => metrics.observeExecution(record),
    });
    const health = createHealthMonitor({
      repository,
      snapshot,
      directory,
      isLeader: sync?.isLeader,
      announce: sync?.announce,
      logger: logger.child({ component: 'health' }),
      failureThreshold: config.health.failureThreshold,
      timeoutMs: config.health.timeoutMs,
      concurrency: config.health.concurrency,
      tickMs: config.health.tickMs,
      fetchHealth: async (url, signal) => {
        await ssrf.check(url, 'health_check.http');
        return fetch(url, { signal, redirect: 'manual' });
      },
    });
    health.start();
    cleanups.push(() => health.close());

    const broadcaster = createListChangedBroadcaster({
      snapshot,
      debounceMs: config.mcp.listChangedDebounceMs,
      logger: logger.child({ component: 'mcp' }),
    });
    cleanups.push(() => broadcaster.close());
    const createMcpServer = createMcpServerFactory({
      backend: { snapshot, engine },
      pageSize: config.mcp.pageSize,
      version,
    });

    let shuttingDown = false;
    const access = createAccessControl({ config, logger: logger.child({ component: 'auth' }) });
    let httpServer: HttpServer | undefined;
    let mcpHttp: ReturnType<typeof createMcpHttp> | undefined;
    if (config.http) {
      mcpHttp = createMcpHttp({
        createServer: createMcpServer,
        engine,
        broadcaster,
        logger: logger.child({ component: 'mcp' }),
        bodyLimitBytes: config.bodyLimitBytes,
        sessionIdleMs: config.mcp.sessionIdleMs,
        maxSessions: config.mcp.maxSessions,
        allowedHosts: [...config.mcp.allowedHosts, config.host],
        allowedOrigins: config.mcp.allowedOrigins,
        auth: access.mcpGuards(),
      });
      const app = createApp({
        registry,
        engine,
        executions,
        runtime: (id) => {
          const gate = gates.get(id);
          return {
            breaker_state: gate?.state ?? 'closed',
            current_load: gate?.inFlight ?? 0,
            queued: gate?.queued ?? 0,
          };
        },
        guards: access.routeGuards,
        logger: logger.child({ component: 'http' }),
        version,
        bodyLimitBytes: config.bodyLimitBytes,
        pingDatabase: () => database.ping(),
        isShuttingDown: () => shuttingDown,
        flushHistory: () => history.drain(2000),
        mcpRouter: mcpHttp.router(),
        metrics: metrics.handler(() => ({
          gates,
          sessions: mcpHttp?.size ?? 0,
          instances: snapshot.instanceCount,
          tools: snapshot.visibleTools().length,
          outbox: history.depth,
        })),
        requestObserver: metrics.requestObserver(logger.child({ component: 'http' })),
      });
      // Plain /mcp POSTs of known sessions skip express (src/mcp/raw-mcp-front.ts); the rest is express's.
      const httpLogger = logger.child({ component: 'http' });
      const sessions = mcpHttp;
      const rawFront = createRawMcpFront({
        bodyLimitBytes: config.bodyLimitBytes,
        directFor: (id) => sessions.directFor(id),
        hostAndOriginProblem: (headers) => sessions.hostAndOriginProblem(headers),
        admit: (authorization) => access.admitMcp(authorization),
        consumeCall: (identity, ip) => access.consumeCall(identity, ip),
        record: (request) => metrics.recordRequest(httpLogger, request),
      });
      httpServer = createServer((req, res) => {
        if (!rawFront(req, res, app)) app(req, res);
      });
      httpServer.keepAliveTimeout = 65_000;
      const server = httpServer;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
    let stdio: StdioFront | undefined;
    if (config.stdio) {
      stdio =
        overrides.stdioFront ??
        openStdioFront({ version, pageSize: config.mcp.pageSize, onEnd: overrides.onStdioEnd ?? (() => {}) });
      await stdio.connected;
      stdio.attach({ snapshot, engine }, broadcaster);
    }
    const address = httpServer?.address() as AddressInfo | undefined;
    const url = address
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : undefined;
    if (url) logger.info('fin-hub listening', { url, mcp: `${url}/mcp`, docs: `${url}/docs` });

    let closed: Promise<void> | undefined;
    return {
      url,
      config,
      logger,
      database,
      snapshot,
      registry,
      engine,
      history,
      health,
      executions,
      upstream,
      metrics,
      /** Runs the health and TTL loops (always, on the embedded database; see registry-sync.ts). */
      get leader() {
        return sync?.isLeader() ?? true;
      },
      get sessions() {
        return mcpHttp?.size ?? 0;
      },
      /** Graceful shutdown: readiness fails, stop accepting, drain calls, flush history, close. */
      close(): Promise<void> {
        closed ??= (async () => {
          shuttingDown = true;
          logger.info('shutting down', { in_flight: engine.inFlight });
          const stopped = httpServer
            ? new Promise<void>((resolve) => httpServer!.close(() => resolve()))
            : Promise.resolve();
          await engine.close(config.shutdownDeadlineMs);
          await mcpHttp?.close();
          await stdio?.close();
          httpServer?.closeAllConnections();
          await stopped;
          await history.close(config.shutdownDeadlineMs);
          for (const gate of gates.values()) gate.close();
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
