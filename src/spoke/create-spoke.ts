import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
} from '@modelcontextprotocol/server';
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { createLogger, type Logger } from '../logger.js';
import { expressShapedMessages } from '../shared/express-shaped-messages.js';
import { createHubRegistration } from './hub-registration.js';
import type { SpokeTool } from './spoke-tool.js';

export interface SpokeOptions {
  /** service_name at the hub; replicas share it. */
  name: string;
  /** service_id at the hub. @default `${name}-${host}-${port}` */
  serviceId?: string;
  version?: string;
  tools: SpokeTool[];
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The hub to register with; without it the spoke only serves. */
  hubUrl?: string;
  registryToken?: string;
  /** @default 60 */
  ttlSeconds?: number;
  tags?: string[];
  /**
   * The tools keep state per MCP session (by `ctx.sessionId`): the hub then gives each of its
   * clients its own session with this spoke. The default says they keep none, so every hub caller
   * shares one session (no `initialize` per client; docs/federation.md, session isolation).
   * @default false
   */
  sessionState?: boolean;
  weight?: number;
  logger?: Logger;
  /** Sessions idle this long are closed. @default 10 min */
  sessionIdleMs?: number;
  /** Middleware run before /mcp (the parsed JSON body is on req.body): auth, logging, request inspection. */
  middleware?: RequestHandler[];
  /**
   * Which MCP protocol eras /mcp serves: the handshake era (2024-11-05 to 2025-11-25, `initialize`
   * and sessions), the 2026-07-28 revision (stateless, `server/discover`, `input_required`), or
   * both from one endpoint. A hub talks 2026-07-28 to a spoke that serves it. The default is the
   * handshake era because the SDK serves it about four times cheaper per call (a session is set up
   * once; a 2026-07-28 request builds a server and parses its envelope each time): through a hub
   * at 10 concurrent callers 1,946 vs 405 calls/s (bench/RESULTS.md). Push-style requests to the
   * caller (`ctx.mcpReq.elicitInput`, `requestSampling`) work only in the handshake era; a
   * 2026-07-28 handler returns `inputRequired(...)` instead.
   * @default 'legacy'
   */
  eras?: 'both' | 'modern' | 'legacy';
}

/**
 * A spoke: an MCP server at /mcp on the official SDK v2, in the handshake era, the 2026-07-28 one
 * or both (one McpServer per handshake-era session, one per 2026-07-28 request; tools defined with
 * zod), /health, and —
 * with `hubUrl` — registration, heartbeats and deregistration.
 */
export async function startSpoke(options: SpokeOptions) {
  const logger = options.logger ?? createLogger({ level: 'info', component: `spoke:${options.name}` });
  const host = options.host ?? '127.0.0.1';
  const eras = options.eras ?? 'legacy';
  const sessions = new Map<
    string,
    { transport: NodeStreamableHTTPServerTransport; server: McpServer; lastActivity: number }
  >();

  function buildServer(): McpServer {
    const server = new McpServer(
      { name: options.name, version: options.version ?? '0.1.0' },
      { capabilities: { logging: {} } },
    );
    for (const tool of options.tools) {
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: z.object(tool.inputSchema),
          annotations: tool.annotations,
        },
        (args, ctx) => tool.handler(args as never, ctx),
      );
    }
    return server;
  }

  // The 2026-07-28 leg: the SDK's stateless handler (envelope, header rules, server/discover).
  const modern = createMcpHandler(buildServer, {
    legacy: 'reject',
    onerror: (error) => logger.debug('mcp request refused', { error: error.message }),
  });
  const serveModern = toNodeHandler(modern);
  const sessionNotFound = { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } };

  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.name, tools: options.tools.length });
  });
  app.use('/mcp', express.json({ limit: '4mb' }), ...(options.middleware ?? []));
  app.post('/mcp', async (req, res) => {
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string' && eras !== 'modern') {
      const session = sessions.get(id);
      if (!session) return void res.status(404).json(sessionNotFound);
      session.lastActivity = Date.now();
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    const legacy = await isLegacyRequest(await toWebRequest(req, req.body), req.body);
    if (!legacy || eras === 'modern') {
      // A handshake-era request on a modern-only spoke gets the SDK's "unsupported version" answer.
      if (eras === 'legacy') {
        res.status(400).json({
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32022,
            message: 'Unsupported protocol version',
            data: { supported: LEGACY_VERSIONS },
          },
        });
        return;
      }
      await serveModern(req, res, req.body);
      return;
    }
    if (!isInitializeRequest(req.body)) {
      res.status(400).json({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32000, message: 'Mcp-Session-Id header is required' },
      });
      return;
    }
    const server = buildServer();
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, server, lastActivity: Date.now() });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const bySession = async (req: express.Request, res: express.Response) => {
    const session = sessions.get(String(req.headers['mcp-session-id']));
    if (!session) return void res.status(404).json(sessionNotFound);
    await session.transport.handleRequest(req, res);
    if (req.method === 'DELETE') {
      sessions.delete(String(req.headers['mcp-session-id']));
      await session.server.close().catch(() => {});
    }
  };
  app.get('/mcp', bySession);
  app.delete('/mcp', bySession);

  // express-shaped requests from the start: no per-request prototype change for V8's collector to
  // pay for (src/shared/express-shaped-messages.ts).
  const httpServer: HttpServer = createServer(expressShapedMessages(app), app);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  const idle = options.sessionIdleMs ?? 10 * 60_000;
  const sweeper = setInterval(
    () => {
      for (const [sid, session] of sessions) {
        if (Date.now() - session.lastActivity > idle) {
          sessions.delete(sid);
          void session.transport.close().catch(() => {});
        }
      }
    },
    Math.min(idle, 60_000),
  );
  sweeper.unref();

  const registerWith = (hubUrl: string) =>
    createHubRegistration({
      hubUrl,
      serviceId: options.serviceId ?? `${options.name}-${host}-${port}`,
      serviceName: options.name,
      address: host,
      port,
      version: options.version ?? '0.1.0',
      tools: options.tools,
      tags: options.tags,
      weight: options.weight,
      sharedSession: !options.sessionState,
      ttlSeconds: options.ttlSeconds ?? 60,
      registryToken: options.registryToken,
      logger,
    });
  let registration = options.hubUrl ? registerWith(options.hubUrl) : undefined;
  registration?.start();
  logger.info('spoke listening', { url: `${url}/mcp`, tools: options.tools.length });

  return {
    url,
    mcpUrl: `${url}/mcp`,
    port,
    get registration() {
      return registration;
    },
    /**
     * Registers with a hub from now on (a spoke started without `hubUrl`, e.g. serving before its
     * hub listens: `fin-hub --spokes` opens the spokes' ports while the hub opens its database).
     */
    registerWith(hubUrl: string) {
      if (registration) throw new Error(`spoke ${options.name} is already registered with ${options.hubUrl}`);
      registration = registerWith(hubUrl);
      registration.start();
      return registration;
    },
    get sessions(): number {
      return sessions.size;
    },
    /** Deregisters, then stops serving. */
    async close(): Promise<void> {
      clearInterval(sweeper);
      await registration?.stop();
      for (const { transport, server } of sessions.values()) {
        await transport.close().catch(() => {});
        await server.close().catch(() => {});
      }
      sessions.clear();
      await modern.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** The handshake-era revisions a legacy-only spoke names when it refuses a 2026-07-28 request. */
const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

export type Spoke = Awaited<ReturnType<typeof startSpoke>>;
