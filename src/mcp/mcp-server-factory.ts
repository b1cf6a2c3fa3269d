import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { HubError } from '../errors.js';
import type { Engine } from '../execution/engine.js';
import type { Logger } from '../logger.js';
import type { RegistrySnapshot } from '../registry/registry-snapshot.js';

export interface McpServerFactoryOptions {
  snapshot: RegistrySnapshot;
  engine: Engine;
  logger: Logger;
  pageSize: number;
  version: string;
  /** Debounce window of notifications/tools/list_changed; the SDK coalesces within a tick on top. */
  instructions?: string;
}

/** Extra context a transport knows about its caller (for the history row). */
export interface CallerInfo {
  userAgent?: string;
  ip?: string;
}

/**
 * Builds one MCP server (one per stdio process, one per streamable-HTTP session). A low-level
 * `Server` with raw tools/list and tools/call handlers over the registry snapshot: registered JSON
 * Schemas pass through verbatim (McpServer.registerTool only takes zod and would rewrite them).
 */
export function createMcpServerFactory(options: McpServerFactoryOptions) {
  const { snapshot, engine, pageSize } = options;

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

    server.setRequestHandler(ListToolsRequestSchema, (request) => {
      const all = snapshot.visibleTools();
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

    server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      const correlation = extra.requestInfo?.headers['x-correlation-id'];
      try {
        const record = await engine.execute({
          tool: request.params.name,
          arguments: (request.params.arguments ?? {}) as Record<string, unknown>,
          correlationId:
            typeof correlation === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(correlation)
              ? correlation
              : undefined,
          signal: extra.signal,
          onProgress:
            progressToken === undefined
              ? undefined
              : (progress) => {
                  void extra
                    .sendNotification({
                      method: 'notifications/progress',
                      params: { ...progress, progressToken },
                    })
                    .catch(() => {});
                },
          relay: {
            sendNotification: (notification) => extra.sendNotification(notification as never),
            sendRequest: (req, schema) => extra.sendRequest(req as never, schema as never),
          },
          caller: caller(),
        });
        if (record.result && (record.status === 'success' || record.status === 'error')) return record.result;
        return {
          content: [
            {
              type: 'text',
              text: `${record.error?.message ?? 'the call failed'} (execution ${record.execution_id})`,
            },
          ],
          isError: true,
          _meta: {
            'fin-hub/execution_id': record.execution_id,
            'fin-hub/status': record.status,
            'fin-hub/error_code': record.error?.code,
          },
        };
      } catch (error) {
        if (error instanceof HubError && error.code === 'tool_not_found') {
          throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
        }
        if (error instanceof HubError) {
          return {
            content: [{ type: 'text', text: error.message }],
            isError: true,
            _meta: { 'fin-hub/error_code': error.code },
          };
        }
        throw error;
      }
    });

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
