import { randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Tool,
} from '@modelcontextprotocol/server';
import type { Engine } from '../execution/engine.js';
import type { FederatedSurface } from '../execution/federated-surface.js';
import type { LogLevel, LogRelay } from '../execution/log-relay.js';
import type { LogMessage } from '../execution/upstream-pool.js';
import type { RoutingView } from '../registry/routing-index.js';
import type { ToolList } from './remembered-tool-list.js';
import { type CallerInfo, callToolForMcp } from './tool-call.js';

/** What the handlers read. */
export interface McpBackend {
  routing: RoutingView;
  engine: Engine;
  /** The registered servers' prompts, resources and completion (federated-surface.ts). */
  surface: FederatedSurface;
  /** Server log messages for the sessions that set a level (log-relay.ts). */
  logs?: LogRelay;
  /** Ends the upstream sessions opened for a downstream session (upstream-sessions.ts). */
  endUpstreamSessions?: (session: string) => Promise<void>;
  /** The hub's own tools, on the first page of tools/list (src/hub-tools/). */
  hubTools?: Tool[];
  /** Progressive discovery: tools/list offers the hub tools only. */
  progressive?: boolean;
}

export interface McpServerFactoryOptions {
  /**
   * Ready at once for HTTP. For stdio it may still be a promise: the CLI answers `initialize` and
   * `server/discover` while the database opens, and a `tools/list` or `tools/call` that comes first
   * waits here (a start-up failure rejects it, and the process exits).
   */
  backend: McpBackend | Promise<McpBackend>;
  pageSize: number;
  version: string;
  instructions?: string;
  /**
   * How long a 2026-07-28 client may cache a `tools/list` page (`ttlMs`). The list changes when
   * spokes come and go, so it is short; clients listening on `subscriptions/listen` hear of
   * changes at once anyway.
   */
  toolListTtlMs?: number;
  /**
   * While a stdio hub starts: the list to answer tools/list with instead of waiting for `backend`
   * (the one its last run served), or undefined to wait.
   */
  toolsBeforeReady?: () => ToolList | undefined;
}

/**
 * Builds one MCP server on the official SDK's maintained line (v2): one per legacy session
 * (HTTP), one per 2026-07-28 request (HTTP, stateless), one per stdio connection. The same
 * handlers serve both protocol eras; the SDK owns what differs on the wire (the `initialize`
 * handshake or the `_meta` envelope, `server/discover`, `resultType`, `ttlMs`/`cacheScope`).
 *
 * A low-level `Server` with raw tools/list and tools/call handlers over the registry routing:
 * registered JSON Schemas pass through verbatim, and building one costs a few handler entries,
 * not one registration per tool (a hub may carry 100,000 tools).
 */
export function createMcpServerFactory(options: McpServerFactoryOptions) {
  const { backend, pageSize } = options;
  const instructions =
    options.instructions ??
    'fin-hub re-exposes the tools of every registered financial spoke (market data, risk, portfolio).';

  /**
   * `sessionKey` names the downstream session (the key of its own upstream sessions with servers
   * that keep session state, its log level, its subscriptions); a fresh one when not given.
   */
  return function createServer(caller: () => CallerInfo = () => ({}), sessionKey = randomUUID()): Server {
    const server = new Server(
      { name: 'fin-hub', title: 'fin-hub', version: options.version },
      {
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          logging: {},
          completions: {},
        },
        instructions,
        debouncedNotificationMethods: ['notifications/tools/list_changed'],
        // Private: what a caller may see can depend on its credentials (SPEC §9).
        cacheHints: { 'tools/list': { ttlMs: options.toolListTtlMs ?? 5_000, cacheScope: 'private' } },
      },
    );

    server.setRequestHandler('tools/list', async (request) => {
      const cursor = request.params?.cursor;
      // A stdio hub still starting answers from the list its last run served (remembered-tool-list.ts).
      const remembered = options.toolsBeforeReady?.();
      if (remembered)
        return pageOfTools(remembered.tools, (tool) => tool, remembered.lead, cursor, pageSize) as never;
      const { routing, hubTools = [], progressive } = await backend;
      if (progressive) return { tools: hubTools as never };
      return pageOfTools(routing.visibleTools(), (t) => t.definition, hubTools, cursor, pageSize) as never;
    });

    // A 2026-07-28 request has no session: it goes on servers' hub-owned upstream sessions.
    const sessionOf = (ctx: { mcpReq: { envelope?: unknown } }) =>
      ctx.mcpReq.envelope === undefined ? sessionKey : undefined;

    server.setRequestHandler(
      'tools/call',
      async (request, ctx) =>
        callToolForMcp(
          (await backend).engine,
          request.params as { name: string; arguments?: Record<string, unknown> },
          {
            signal: ctx.mcpReq.signal,
            progressToken: ctx.mcpReq._meta?.progressToken,
            correlationHeader: ctx.http?.req?.headers.get('x-correlation-id') ?? undefined,
            sendNotification: (notification) => ctx.mcpReq.notify(notification as never),
            // The SDK checks the caller's capabilities and validates the result by method.
            sendRequest: (req) => ctx.mcpReq.send(req as never),
            // A 2026-07-28 request declares them itself; a session declared them at initialize.
            capabilities:
              ((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
                | ClientCapabilities
                | undefined) ?? server.getClientCapabilities(),
            answered: ctx.mcpReq.inputResponses,
            session: sessionOf(ctx),
            caller: caller(),
          },
        ) as never,
    );

    // The rest of the MCP surface: each registered server's, merged (lists) or routed (the others).
    const surface = async () => (await backend).surface;
    server.setRequestHandler(
      'prompts/list',
      async (request, ctx) => (await surface()).listPrompts(request.params?.cursor, sessionOf(ctx)) as never,
    );
    server.setRequestHandler(
      'prompts/get',
      async (request, ctx) => (await surface()).getPrompt(request.params, sessionOf(ctx)) as never,
    );
    server.setRequestHandler(
      'resources/list',
      async (request, ctx) =>
        (await surface()).listResources(request.params?.cursor, sessionOf(ctx)) as never,
    );
    server.setRequestHandler(
      'resources/templates/list',
      async (request, ctx) =>
        (await surface()).listResourceTemplates(request.params?.cursor, sessionOf(ctx)) as never,
    );
    server.setRequestHandler(
      'resources/read',
      async (request, ctx) => (await surface()).readResource(request.params, sessionOf(ctx)) as never,
    );
    // Subscriptions belong to this session (handshake era; 2026-07-28 has subscriptions/listen).
    const subscriber = {
      id: sessionKey,
      updated: (uri: string) => void server.sendResourceUpdated({ uri }).catch(() => {}),
    };
    server.setRequestHandler(
      'resources/subscribe',
      async (request, ctx) =>
        (await surface()).subscribe(request.params.uri, subscriber, sessionOf(ctx)) as never,
    );
    server.setRequestHandler(
      'resources/unsubscribe',
      async (request) => (await surface()).unsubscribe(request.params.uri, subscriber.id) as never,
    );
    // This session's log level: registered servers' log messages at or above it come here.
    const logSubscriber = {
      id: subscriber.id,
      send: (params: LogMessage) =>
        void server.notification({ method: 'notifications/message', params } as never).catch(() => {}),
    };
    server.setRequestHandler('logging/setLevel', async (request) => {
      const { logs } = await backend;
      return (logs?.setLevel(logSubscriber, request.params.level as LogLevel) ?? {}) as never;
    });
    server.onclose = () =>
      void Promise.resolve(backend).then(
        (b) => {
          b.logs?.drop(subscriber.id);
          void b.endUpstreamSessions?.(sessionKey);
          return b.surface.dropSubscriber(subscriber.id);
        },
        () => {},
      );
    server.setRequestHandler(
      'completion/complete',
      async (request, ctx) => (await surface()).complete(request.params as never, sessionOf(ctx)) as never,
    );
    return server;
  };
}

export type McpServerFactory = ReturnType<typeof createMcpServerFactory>;

/** The tool list served to a stdio client: what `toolsBeforeReady` serves, and what is remembered. */
export function toolListOf(backend: McpBackend): ToolList {
  const lead = backend.hubTools ?? [];
  return backend.progressive
    ? { lead, tools: [] }
    : { lead, tools: backend.routing.visibleTools().map((t) => t.definition) };
}

/**
 * One page of tools sorted by name: `lead` (the hub's own tools) heads the first page, and a cursor
 * is the name of the last tool of the page before, so that it pages on through a list that changed
 * in between — also from a remembered list to the live one.
 */
function pageOfTools<T>(
  all: readonly T[],
  toolOf: (entry: T) => Tool,
  lead: readonly Tool[],
  cursor: string | undefined,
  pageSize: number,
): { tools: Tool[]; nextCursor?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeToolCursor(cursor);
    // Binary search: the first tool whose name sorts after the cursor's.
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (toolOf(all[mid]!).name <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const page = all.slice(start, start + pageSize);
  const last = page[page.length - 1];
  // The hub tools lead the first page; cursors count registered tools only.
  return {
    tools: cursor === undefined ? [...lead, ...page.map(toolOf)] : page.map(toolOf),
    ...(start + pageSize < all.length && last
      ? { nextCursor: Buffer.from(toolOf(last).name).toString('base64url') }
      : {}),
  };
}

function decodeToolCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name))
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'invalid cursor');
  return name;
}
