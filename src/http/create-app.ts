import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { HubError } from '../errors.js';
import type { Engine } from '../execution/engine.js';
import type { ExecutionRepository } from '../execution/execution-repository.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from '../registry/audit-log.js';
import type { RegistryService } from '../registry/registry-service.js';
import { correlationId } from './correlation-id.js';
import { dashboardRouter } from './dashboard-page.js';
import { docsRouter } from './docs-page.js';
import { createErrorMiddleware, notFoundHandler, requireJsonBody } from './error-middleware.js';
import type { HostOriginCheck } from './host-origin-check.js';
import { limitJsonBody } from './json-body-limits.js';
import { buildOpenApiDocument } from './openapi.js';
import type { RouteGuards } from './route-guards.js';
import type { RouteSpec } from './route-spec.js';
import { auditRouteSpecs, auditRoutes } from './routes/audit-routes.js';
import { executionRouteSpecs, executionRoutes } from './routes/execution-routes.js';
import { type InstanceRuntime, serviceRouteSpecs, serviceRoutes } from './routes/service-routes.js';
import { toolRouteSpecs, toolRoutes } from './routes/tool-routes.js';

export interface AppOptions {
  registry: RegistryService;
  engine: Engine;
  executions: ExecutionRepository;
  audit: AuditLog;
  runtime: InstanceRuntime;
  guards: RouteGuards;
  logger: Logger;
  version: string;
  bodyLimitBytes: number;
  /** Readiness: throws when the database cannot be reached. */
  pingDatabase: () => Promise<void>;
  isShuttingDown: () => boolean;
  flushHistory: () => Promise<void>;
  /** DNS-rebinding protection, applied to every browser-reachable route but /health and /metrics. */
  hostAndOriginProblem?: HostOriginCheck;
  /**
   * Proxies whose X-Forwarded-For is believed (express's "trust proxy" list). Empty: the socket's
   * address is the client's, whatever the header says (else any local process could pick the
   * address its rate limit is counted against).
   */
  trustedProxies?: string[];
  /** The /mcp router (absent when MCP is served over stdio only). */
  mcpRouter?: express.Router;
  metrics?: RequestHandler;
  /** Logs each request and observes its latency. */
  requestObserver?: RequestHandler;
}

/** Every REST route spec, for the OpenAPI document. */
const allRouteSpecs: RouteSpec[] = [
  ...Object.values(serviceRouteSpecs),
  ...Object.values(toolRouteSpecs),
  ...Object.values(executionRouteSpecs),
  ...Object.values(auditRouteSpecs),
] as RouteSpec[];

/** Builds the express app (it never listens by itself; the composition root does). */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustedProxies?.length ? options.trustedProxies : false);
  app.use(correlationId);
  if (options.requestObserver) app.use(options.requestObserver);
  if (options.mcpRouter) app.use('/mcp', options.mcpRouter);

  app.use(helmet({ contentSecurityPolicy: false }));
  app.get('/health', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = !options.isShuttingDown();
    if (!ready) checks.shutdown = 'in progress';
    try {
      await options.pingDatabase();
      checks.database = 'ok';
    } catch {
      checks.database = 'unreachable';
      ready = false;
    }
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'degraded', live: true, ready, checks, version: options.version });
  });
  if (options.metrics) app.get('/metrics', options.metrics);
  // Everything below is reachable from a browser page: Host and Origin must be ours. /health and
  // /metrics above are probed by orchestrators and scrapers by IP address.
  const check = options.hostAndOriginProblem;
  if (check) {
    app.use((req, _res, next) => {
      const problem = check(req.headers);
      next(problem === undefined ? undefined : new HubError('forbidden', problem));
    });
  }
  // Built on first request: a stdio hub's start-up (first tools/list) does not wait for it.
  let openapi: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    openapi ??= buildOpenApiDocument(allRouteSpecs, { version: options.version });
    res.json(openapi);
  });
  app.use('/docs', docsRouter());
  app.use(dashboardRouter());

  const api = express.Router();
  api.use(requireJsonBody);
  api.use(express.json({ limit: options.bodyLimitBytes, strict: true }));
  api.use(limitJsonBody);
  api.use(serviceRoutes(options.registry, options.runtime, options.guards));
  api.use(toolRoutes(options.registry, options.engine, options.guards));
  api.use(executionRoutes(options.executions, options.engine, options.guards, options.flushHistory));
  api.use(auditRoutes(options.audit, options.guards));
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(createErrorMiddleware(options.logger, options.bodyLimitBytes));
  return app;
}
