import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import { type AuthInfo, createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { Engine } from '../execution/engine.js';
import type { FederatedSurface } from '../execution/federated-surface.js';
import type { Logger } from '../logger.js';
import { createInputRequiredBridge } from './input-required-bridge.js';
import type { ListChangeListener } from './list-changed-broadcaster.js';
import type { McpServerFactory } from './mcp-server-factory.js';
import { createModernToolCalls } from './modern-tool-calls.js';

/** Who sent a 2026-07-28 request, as the express front worked it out. */
export interface ModernCaller {
  identity?: string;
  ip?: string;
  correlationId?: string;
}

/**
 * The 2026-07-28 (stateless) leg of `/mcp`, on the official SDK's `createMcpHandler`: every
 * request carries its protocol version, client info and capabilities in `_meta`, needs no session
 * and may land on any hub. The SDK validates the envelope and the `MCP-Protocol-Version` /
 * `Mcp-Method` / `Mcp-Name` headers (-32020 on a mismatch, -32022 for an unsupported version),
 * answers `server/discover`, stamps `resultType` and the list cache fields, and serves
 * `subscriptions/listen`. One server per request comes from the same factory as the legacy
 * sessions, so both eras see the same tools through the same engine. A plain `tools/call` takes
 * the hand-written path of modern-tool-calls.ts instead (bench/RESULTS.md says why).
 *
 * Legacy (handshake-era) traffic never reaches it: http-session-manager.ts routes by
 * `isModern` first, and serves initialize and `Mcp-Session-Id` requests itself.
 */
export function createModernMcpHttp(options: {
  createServer: McpServerFactory;
  engine: Engine;
  surface: FederatedSurface;
  version: string;
  bodyLimitBytes: number;
  logger: Logger;
  /** How long a call waits for a 2026-07-28 caller's answers between rounds (input-required-bridge.ts). */
  parkTimeoutMs: number;
}) {
  // Plain tools/call requests skip the SDK (modern-tool-calls.ts); the raw front uses it too.
  const bridge = createInputRequiredBridge({ parkTimeoutMs: options.parkTimeoutMs });
  const direct = createModernToolCalls({
    engine: options.engine,
    serverInfo: { name: 'fin-hub', title: 'fin-hub', version: options.version },
    bridge,
  });
  const onerror = (error: Error) =>
    options.logger.debug('mcp 2026-07-28 request refused or failed', {
      error: error.message,
    });
  const handler = createMcpHandler(
    (context) => {
      // The caller's address and user agent travel as pass-through auth info (see `serve`).
      const caller = (context.authInfo?.extra ?? {}) as { ip?: string; userAgent?: string };
      return options.createServer(() => ({ ip: caller.ip, userAgent: caller.userAgent }));
    },
    { legacy: 'reject', maxRequestBodySize: options.bodyLimitBytes, onerror },
  );
  const serveNode = toNodeHandler(handler, { maxRequestBodySize: options.bodyLimitBytes, onerror });

  /**
   * A `subscriptions/listen` stream that names resources: the hub subscribes to them upstream for
   * as long as the stream is open, and publishes their updates on the SDK's bus, which delivers
   * each to the streams that asked for that URI (the revision's replacement of
   * resources/subscribe). Best effort: a resource whose server cannot be subscribed is logged.
   */
  function followResourcesFor(res: ServerResponse, body: unknown): void {
    const message = body as {
      method?: unknown;
      params?: { notifications?: { resourceSubscriptions?: unknown } };
    };
    const uris =
      message?.method === 'subscriptions/listen'
        ? message.params?.notifications?.resourceSubscriptions
        : undefined;
    if (!Array.isArray(uris) || uris.length === 0) return;
    const subscriber = { id: randomUUID(), updated: (uri: string) => handler.notify.resourceUpdated(uri) };
    for (const uri of uris.slice(0, 100))
      if (typeof uri === 'string')
        options.surface.subscribe(uri, subscriber).catch((error) =>
          options.logger.debug('listen stream: resource not followed', {
            uri,
            error: (error as Error).message,
          }),
        );
    res.once('close', () => void options.surface.dropSubscriber(subscriber.id));
  }

  return {
    /**
     * Whether the SDK would serve this POST as 2026-07-28 traffic (an envelope in `_meta`, or
     * `server/discover`); the SDK's own classification, so the two can never disagree.
     */
    async isModern(req: IncomingMessage, body: unknown): Promise<boolean> {
      return !(await isLegacyRequest(await toWebRequest(req, body), body));
    },

    /** The hand-written tools/call path (for the raw front). */
    direct,

    async serve(
      req: IncomingMessage,
      res: ServerResponse,
      body: unknown,
      caller: ModernCaller,
    ): Promise<void> {
      if (direct.handle(req, res, body, caller)) return;
      followResourcesFor(res, body);
      // The correlation id the front settled on reaches the history row like a caller's own.
      if (caller.correlationId !== undefined) req.headers['x-correlation-id'] = caller.correlationId;
      const auth: AuthInfo = {
        token: '',
        clientId: caller.identity ?? 'anonymous',
        scopes: [],
        extra: { ip: caller.ip, userAgent: req.headers['user-agent'] },
      };
      (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
      await serveNode(req, res, body);
    },

    /** Open `subscriptions/listen` streams that asked for list changes hear of them. */
    listChangeListener: {
      sendToolListChanged: () => handler.notify.toolsChanged(),
      sendPromptListChanged: () => handler.notify.promptsChanged(),
      sendResourceListChanged: () => handler.notify.resourcesChanged(),
    } satisfies ListChangeListener,

    /** The hub stops accepting requests: calls waiting for a caller's retry end now. */
    endWaitingCalls: () => bridge.endWaiting('the hub is shutting down'),

    close: async () => {
      bridge.close();
      await handler.close();
    },
  };
}

export type ModernMcpHttp = ReturnType<typeof createModernMcpHttp>;
