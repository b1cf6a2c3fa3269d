import { randomUUID } from 'node:crypto';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isInitializeRequest, type Server } from '@modelcontextprotocol/server';
import express, {
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { Engine } from '../execution/engine.js';
import type { HostOriginCheck } from '../http/host-origin-check.js';
import type { Logger } from '../logger.js';
import { jsonRpcError } from '../shared/json-rpc.js';
import { createDirectToolCalls, type DirectToolCalls } from './direct-tool-calls.js';
import type { ListChangedBroadcaster } from './list-changed-broadcaster.js';
import type { McpServerFactory } from './mcp-server-factory.js';
import { messageProblem } from './message-limits.js';
import type { ModernMcpHttp } from './modern-http-front.js';

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: Server;
  /** The session's tools/call fast path (see direct-tool-calls.ts). */
  direct: DirectToolCalls;
  lastActivity: number;
  openStreams: number;
  /** Who opened it (sessionOwner): only they may use it, and it counts against their share. */
  owner: string;
}

/**
 * Who a session belongs to: the API key's name, or the client's address when the hub runs
 * without keys. The per-identity session share and session ownership are both keyed on it.
 */
export function sessionOwner(identity: string | undefined, ip: string | undefined): string {
  return identity && identity !== 'anonymous' ? `key:${identity}` : `ip:${ip ?? 'unknown'}`;
}

export interface McpHttpOptions {
  createServer: McpServerFactory;
  /** The 2026-07-28 leg: session-less requests that carry the `_meta` envelope go there. */
  modern: ModernMcpHttp;
  engine: Engine;
  broadcaster: ListChangedBroadcaster;
  logger: Logger;
  bodyLimitBytes: number;
  /** Sessions without a request (and without an open stream) for this long are closed. */
  sessionIdleMs: number;
  maxSessions: number;
  /** Put in front of every session id this hub mints (config mcp.sessionIdPrefix). */
  sessionIdPrefix: string;
  /** Sessions one identity (key, or address without keys) may hold at once. */
  maxSessionsPerIdentity: number;
  /** DNS-rebinding protection (src/http/host-origin-check.ts). */
  hostAndOriginProblem: HostOriginCheck;
  /** Auth middleware for /mcp (none on an open loopback hub). */
  auth?: RequestHandler[];
}

function refuse(res: Response, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res.status(status).json(jsonRpcError(null, code, message));
}

/**
 * Streamable HTTP at /mcp, both protocol eras on one endpoint. The handshake era (2024-11-05 to
 * 2025-11-25) gets stateful sessions: one MCP server per session, an idle sweep that closes
 * abandoned sessions, DELETE to end one. A session-less POST that is not `initialize` and carries
 * the 2026-07-28 envelope goes to the stateless leg (modern-http-front.ts). Both share Host and
 * Origin validation (DNS rebinding), auth, and a body limit answered as a JSON-RPC error.
 */
export function createMcpHttp(options: McpHttpOptions) {
  const { logger } = options;
  const sessions = new Map<string, Session>();
  const { hostAndOriginProblem } = options;
  const sessionsPerOwner = new Map<string, number>();
  const countFor = (owner: string, delta: number) => {
    const next = (sessionsPerOwner.get(owner) ?? 0) + delta;
    if (next <= 0) sessionsPerOwner.delete(owner);
    else sessionsPerOwner.set(owner, next);
  };

  const validateHostAndOrigin: RequestHandler = (req, res, next) => {
    const problem = hostAndOriginProblem(req.headers);
    if (problem) return refuse(res, 403, -32000, problem);
    next();
  };

  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large')
      return refuse(res, 413, -32600, `request body is larger than ${options.bodyLimitBytes} bytes`);
    if (type === 'entity.parse.failed')
      return refuse(res, 400, -32700, 'Parse error: the body is not valid JSON');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported')
      return refuse(res, 415, -32600, String(error.message));
    next(error);
  };

  const refuseHostileMessages: RequestHandler = (req, res, next) => {
    const problem = messageProblem(req.body);
    if (problem !== undefined) return refuse(res, 400, -32600, problem);
    next();
  };

  function sessionOf(req: Request, res: Response): Session | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string') {
      refuse(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const session = sessions.get(id);
    // Another identity's session is answered as unknown: its id is not a credential to reuse.
    if (!session || session.owner !== sessionOwner(res.locals.identity, req.ip)) {
      refuse(res, 404, -32001, 'Session not found');
      return undefined;
    }
    session.lastActivity = Date.now();
    return session;
  }

  async function closeSession(id: string, reason: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    countFor(session.owner, -1);
    options.broadcaster.delete(session.server);
    session.direct.close();
    logger.debug('mcp session closed', { session_id: id, reason });
    await session.transport.close().catch(() => {});
    await session.server.close().catch(() => {});
  }

  const handlePost: RequestHandler = async (req, res) => {
    const body = req.body;
    if (Array.isArray(body))
      return refuse(res, 400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
    if (req.headers['mcp-session-id'] === undefined && isInitializeRequest(body)) {
      if (sessions.size >= options.maxSessions) {
        res.setHeader('Retry-After', '30');
        return refuse(res, 503, -32000, `too many MCP sessions (${options.maxSessions}); try again later`);
      }
      const owner = sessionOwner(res.locals.identity, req.ip);
      if ((sessionsPerOwner.get(owner) ?? 0) >= options.maxSessionsPerIdentity) {
        res.setHeader('Retry-After', '30');
        logger.warn('mcp session refused: identity over its share', {
          owner,
          share: options.maxSessionsPerIdentity,
        });
        return refuse(
          res,
          429,
          -32000,
          `this client already holds ${options.maxSessionsPerIdentity} MCP sessions, the most one identity may; ` +
            'end some (DELETE /mcp) or let idle ones expire',
        );
      }
      // One key for the session's upstream sessions, on both of its paths (SDK and direct).
      const upstreamSession = randomUUID();
      const server = options.createServer(
        () => ({ userAgent: req.get('user-agent'), ip: req.ip }),
        upstreamSession,
      );
      const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        // The prefix names this hub, so a proxy can keep the session on it (deploy/nginx).
        sessionIdGenerator: () => `${options.sessionIdPrefix}${randomUUID()}`,
        onsessioninitialized: (id) => {
          const direct = createDirectToolCalls({
            engine: options.engine,
            sessionId: id,
            upstreamSession,
            clientCapabilities: () => server.getClientCapabilities(),
          });
          sessions.set(id, { transport, server, direct, lastActivity: Date.now(), openStreams: 0, owner });
          countFor(owner, 1);
          options.broadcaster.add(server);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) void closeSession(transport.sessionId, 'transport closed');
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    // A plain 2026-07-28 tools/call (the fast path's) needs no classification by the SDK.
    if (
      req.headers['mcp-session-id'] === undefined &&
      (options.modern.direct.takes(req, body) || (await options.modern.isModern(req, body)))
    ) {
      await options.modern.serve(req, res, body, {
        identity: res.locals.identity as string | undefined,
        ip: req.ip,
        correlationId: res.locals.correlationId as string | undefined,
      });
      return;
    }
    const session = sessionOf(req, res);
    if (!session) return;
    const origin = { correlationId: res.locals.correlationId as string | undefined, ip: req.ip };
    if (session.direct.handle(req, res, body, origin)) return;
    await session.transport.handleRequest(req, res, body);
  };

  const handleGet: RequestHandler = async (req, res) => {
    const session = sessionOf(req, res);
    if (!session) return;
    session.openStreams++;
    res.on('close', () => {
      session.openStreams--;
      session.lastActivity = Date.now();
    });
    await session.transport.handleRequest(req, res);
  };

  const handleDelete: RequestHandler = async (req, res) => {
    const session = sessionOf(req, res);
    if (!session) return;
    await session.transport.handleRequest(req, res);
    await closeSession(req.headers['mcp-session-id'] as string, 'deleted by the client');
  };

  const sweepEvery = Math.max(250, Math.min(60_000, Math.floor(options.sessionIdleMs / 4)));
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - options.sessionIdleMs;
    for (const [id, session] of sessions) {
      if (session.openStreams === 0 && session.lastActivity < cutoff) void closeSession(id, 'idle');
    }
  }, sweepEvery);
  sweeper.unref();

  return {
    router(): Router {
      const router = express.Router();
      router.use(validateHostAndOrigin, ...(options.auth ?? []));
      router.post(
        '/',
        express.json({ limit: options.bodyLimitBytes, type: () => true }),
        bodyErrors,
        refuseHostileMessages,
        handlePost,
      );
      router.get('/', handleGet);
      router.delete('/', handleDelete);
      router.all('/', (_req, res) => {
        res.setHeader('Allow', 'GET, POST, DELETE');
        refuse(res, 405, -32000, 'Method not allowed');
      });
      return router;
    },
    get size(): number {
      return sessions.size;
    },
    hostAndOriginProblem,
    /** A session's direct path for its owner, for the raw front (raw-mcp-front.ts). */
    directFor(sessionId: string, owner: string) {
      const session = sessions.get(sessionId);
      if (!session || session.owner !== owner) return undefined;
      return {
        takes: session.direct.takes,
        handle: session.direct.handle,
        touch: () => {
          session.lastActivity = Date.now();
        },
      };
    },
    async close(): Promise<void> {
      clearInterval(sweeper);
      await options.modern.close();
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'hub shutting down')));
    },
  };
}
