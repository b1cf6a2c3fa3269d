import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from '../execution/engine.js';
import type { RoutingView } from '../registry/routing-index.js';
import { type CallerInfo, callToolForMcp } from './tool-call.js';

/** What the handlers read. */
export interface McpBackend {
  routing: RoutingView;
  engine: Engine;
}

export interface McpServerFactoryOptions {
  /**
   * Ready at once for HTTP sessions. For stdio it may still be a promise: the CLI answers
   * `initialize` while the database opens, and a `tools/list` or `tools/call` that comes first waits
   * here (a start-up failure rejects it, and the process exits).
   */
  backend: McpBackend | Promise<McpBackend>;
  pageSize: number;
  version: string;
  /** Debounce window of notifications/tools/list_changed; the SDK coalesces within a tick on top. */
  instructions?: string;
}

/**
 * Builds one MCP server (one per stdio process, one per streamable-HTTP session). A low-level
 * `Server` with raw tools/list and tools/call handlers over the registry routing: registered JSON
 * Schemas pass through verbatim (McpServer.registerTool only takes zod and would rewrite them).
 */
export function createMcpServerFactory(options: McpServerFactoryOptions) {
  const { backend, pageSize } = options;

  return function createServer(caller: () => CallerInfo = () => ({})): Server {
    const server = new Server(
      { name: 'fin-hub', title: 'fin-hub', version: options.version },
      {
        capabilities: { tools: { listChanged: true }, logging: {}, completions: {} },
        instructions:
          options.instructions ??
          'fin-hub re-exposes the tools of every registered financial spoke (market data, risk, portfolio).',
        debouncedNotificationMethods: ['notifications/tools/list_changed'],
      },
    );

    server.setRequestHandler(ListToolsRequestSchema, async (request) => {
      const all = (await backend).routing.visibleTools();
      let start = 0;
      const cursor = request.params?.cursor;
      if (cursor !== undefined) {
        const after = decodeToolCursor(cursor);
        // Binary search: the first tool whose name sorts after the cursor's.
        let lo = 0;
        let hi = all.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (all[mid]!.definition.name <= after) lo = mid + 1;
          else hi = mid;
        }
        start = lo;
      }
      const page = all.slice(start, start + pageSize);
      const last = page[page.length - 1];
      return {
        tools: page.map((t) => t.definition),
        ...(start + pageSize < all.length && last
          ? { nextCursor: Buffer.from(last.definition.name).toString('base64url') }
          : {}),
      };
    });

    server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
      callToolForMcp(
        (await backend).engine,
        request.params as { name: string; arguments?: Record<string, unknown> },
        {
          signal: extra.signal,
          progressToken: extra._meta?.progressToken,
          correlationHeader: extra.requestInfo?.headers['x-correlation-id'],
          sendNotification: (notification) => extra.sendNotification(notification as never),
          sendRequest: (req, schema) => extra.sendRequest(req as never, schema as never),
          caller: caller(),
        },
      ),
    );

    server.setRequestHandler(SetLevelRequestSchema, () => ({}));
    server.setRequestHandler(CompleteRequestSchema, () => ({ completion: { values: [], hasMore: false } }));
    return server;
  };
}

export type McpServerFactory = ReturnType<typeof createMcpServerFactory>;

function decodeToolCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) throw new McpError(ErrorCode.InvalidParams, 'invalid cursor');
  return name;
}
