import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from '../config/config-schema.js';
import type { Engine } from '../execution/engine.js';
import type { ExecutionRepository } from '../execution/execution-repository.js';
import type { FederatedSurface } from '../execution/federated-surface.js';
import type { Logger } from '../logger.js';
import { createMcpHttp } from '../mcp/http-session-manager.js';
import type { ListChangedBroadcaster } from '../mcp/list-changed-broadcaster.js';
import type { createMcpServerFactory } from '../mcp/mcp-server-factory.js';
import { createModernMcpHttp } from '../mcp/modern-http-front.js';
import { createRawMcpFront } from '../mcp/raw-mcp-front.js';
import type { HubMetrics, MetricsSources } from '../metrics.js';
import type { AuditLog } from '../registry/audit-log.js';
import type { RegistryService } from '../registry/registry-service.js';
import { expressShapedMessages } from '../shared/express-shaped-messages.js';
import type { AccessControl } from './access-control.js';
import { createApp } from './create-app.js';
import { createHostOriginCheck } from './host-origin-check.js';
import type { InstanceRuntime } from './routes/service-routes.js';

export interface HttpFrontOptions {
  config: HubConfig;
  logger: Logger;
  version: string;
  registry: RegistryService;
  engine: Engine;
  /** The registered servers' prompts and resources (resource updates for listen streams). */
  surface: FederatedSurface;
  executions: ExecutionRepository;
  audit: AuditLog;
  runtime: InstanceRuntime;
  access: AccessControl;
  metrics: HubMetrics;
  /** Live numbers for /metrics besides the per-call ones. */
  gauges: () => Omit<MetricsSources, 'sessions'>;
  createMcpServer: ReturnType<typeof createMcpServerFactory>;
  broadcaster: ListChangedBroadcaster;
  pingDatabase: () => Promise<void>;
  flushHistory: () => Promise<void>;
  isShuttingDown: () => boolean;
  /**
   * When the configured port is taken, listen on a free one instead of failing (a stdio hub: its
   * client speaks stdin/stdout, the port only serves spokes; a second desktop client starting the
   * same command must not fail on it).
   */
  freePortWhenTaken?: boolean;
}

/**
 * The HTTP listener: the REST API, /mcp sessions, /health, /metrics and /docs on one port. Plain
 * /mcp POSTs of known sessions are answered before express (src/mcp/raw-mcp-front.ts); everything
 * else is express's.
 */
export async function startHttpFront(options: HttpFrontOptions) {
  const { config, logger } = options;
  const httpLogger = logger.child({ component: 'http' });
  const hostAndOriginProblem = createHostOriginCheck({
    allowedHosts: [...config.mcp.allowedHosts, config.host],
    allowedOrigins: config.mcp.allowedOrigins,
  });
  const modern = createModernMcpHttp({
    createServer: options.createMcpServer,
    engine: options.engine,
    surface: options.surface,
    version: options.version,
    parkTimeoutMs: config.mcp.inputWaitMs,
    bodyLimitBytes: config.bodyLimitBytes,
    logger: logger.child({ component: 'mcp' }),
  });
  options.broadcaster.add(modern.listChangeListener);
  const mcpHttp = createMcpHttp({
    createServer: options.createMcpServer,
    modern,
    engine: options.engine,
    broadcaster: options.broadcaster,
    logger: logger.child({ component: 'mcp' }),
    bodyLimitBytes: config.bodyLimitBytes,
    sessionIdleMs: config.mcp.sessionIdleMs,
    maxSessions: config.mcp.maxSessions,
    sessionIdPrefix: config.mcp.sessionIdPrefix,
    maxSessionsPerIdentity: config.mcp.maxSessionsPerIdentity,
    hostAndOriginProblem,
    auth: options.access.mcpGuards(),
  });
  const app = createApp({
    registry: options.registry,
    engine: options.engine,
    executions: options.executions,
    audit: options.audit,
    runtime: options.runtime,
    guards: options.access.routeGuards,
    logger: httpLogger,
    version: options.version,
    bodyLimitBytes: config.bodyLimitBytes,
    pingDatabase: options.pingDatabase,
    isShuttingDown: options.isShuttingDown,
    flushHistory: options.flushHistory,
    mcpRouter: mcpHttp.router(),
    hostAndOriginProblem,
    trustedProxies: config.trustedProxies,
    metrics: options.metrics.handler(() => ({ ...options.gauges(), sessions: mcpHttp.size })),
    requestObserver: options.metrics.requestObserver(httpLogger),
  });
  const rawFront = createRawMcpFront({
    bodyLimitBytes: config.bodyLimitBytes,
    directFor: (id, owner) => mcpHttp.directFor(id, owner),
    modernDirect: modern.direct,
    hostAndOriginProblem,
    admit: (authorization) => options.access.admitMcp(authorization),
    consumeCall: (identity, ip) => options.access.consumeCall(identity, ip),
    record: (request) => options.metrics.recordRequest(httpLogger, request),
  });
  // Requests and responses are made express-shaped from the start (express-shaped-messages.ts):
  // express's per-request prototype change made every scavenge of the hub keep what requests
  // allocated. The raw front's requests get the same classes; it uses none of express's methods.
  const server = createServer(expressShapedMessages(app), (req, res) => {
    try {
      if (!rawFront(req, res, app)) app(req, res);
    } catch (error) {
      // A fault on the request path answers this request and nothing else (express catches its
      // own; this is for the raw front and anything synchronous before it).
      httpLogger.error('request failed outside express', { error: (error as Error).stack ?? String(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'internal error' } }));
    }
  });
  server.keepAliveTimeout = 65_000;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(config.port).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || !options.freePortWhenTaken) throw error;
    await listen(0);
    logger.warn('the configured port is in use; listening on a free port instead', {
      port: config.port,
      got: (server.address() as AddressInfo).port,
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopped: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    get sessions(): number {
      return mcpHttp.size;
    },
    /** Stops accepting connections; resolves once the listener is closed (after `closeAll`). */
    stopAccepting(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      // A 2026-07-28 caller's call waiting for its retry would only hold the drain to its deadline.
      modern.endWaitingCalls();
      return stopped;
    },
    /** Ends every MCP session and cuts the connections left (after calls in flight were answered). */
    async closeAll(): Promise<void> {
      const closing = this.stopAccepting();
      await mcpHttp.close();
      server.closeAllConnections();
      await closing;
    },
  };
}

export type HttpFront = Awaited<ReturnType<typeof startHttpFront>>;
