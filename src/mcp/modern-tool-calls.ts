import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Implementation, ProtocolError } from '@modelcontextprotocol/server';
import type { Engine } from '../execution/engine.js';
import {
  JSON_CONTENT_TYPE,
  JsonRpcCode,
  type JsonRpcId,
  jsonRpcError,
  jsonRpcResult,
  MEDIA_JSON,
  MEDIA_SSE,
} from '../shared/json-rpc.js';
import type { CallOrigin } from './direct-tool-calls.js';
import { createResponder } from './direct-tool-calls.js';
import { callToolForMcp } from './tool-call.js';

export const MODERN_REVISION = '2026-07-28';
const VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';

interface ModernCall {
  id: JsonRpcId;
  params: {
    name: string;
    arguments?: Record<string, unknown>;
    _meta: Record<string, unknown> & { progressToken?: unknown };
  };
}

/**
 * The hot path of a 2026-07-28 `tools/call`: answered without the SDK's per-request server, Web
 * Request/Response adapter and zod parse (bench/RESULTS.md: through the SDK's `createMcpHandler`
 * a modern call cost the hub several times what a handshake-era call on the fast path costs).
 *
 * It takes only a request that is plainly valid — the routing headers mirror the body, the
 * `_meta` envelope names this revision and carries client capabilities, nothing else is unusual —
 * and leaves everything else to the SDK (modern-http-front.ts), which answers it and its errors by
 * the revision's rules. The answer is what the SDK would send: the result with
 * `resultType: "complete"` and the hub's identity in `_meta`, one JSON body or an SSE stream once
 * progress or a relayed log message must go first. A client that closes the request cancels the
 * call (the revision has no session to send `notifications/cancelled` on).
 */
export function createModernToolCalls(options: { engine: Engine; serverInfo: Implementation }) {
  function takes(req: IncomingMessage, body: unknown): body is ModernCall {
    const headers = req.headers;
    if (headers['mcp-protocol-version'] !== MODERN_REVISION || headers['mcp-method'] !== 'tools/call')
      return false;
    if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return false;
    if (typeof body.id !== 'string' && typeof body.id !== 'number') return false;
    const params = body.params;
    if (!isPlainObject(params) || typeof params.name !== 'string') return false;
    if (headers['mcp-name'] !== params.name) return false;
    if (params.arguments !== undefined && !isPlainObject(params.arguments)) return false;
    const meta = params._meta;
    if (
      !isPlainObject(meta) ||
      meta[VERSION_KEY] !== MODERN_REVISION ||
      !isPlainObject(meta[CAPABILITIES_KEY])
    )
      return false;
    // Input responses belong to a multi round-trip retry; the SDK path owns those.
    if (params.inputResponses !== undefined || params.requestState !== undefined) return false;
    const accept = headers.accept ?? '';
    if (!accept.includes(MEDIA_JSON) || !accept.includes(MEDIA_SSE)) return false;
    return JSON_CONTENT_TYPE.test(headers['content-type'] ?? '');
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: ModernCall, origin: CallOrigin): void {
    const { id, params } = body;
    const controller = new AbortController();
    let answered = false;
    res.on('close', () => {
      if (!answered) controller.abort(new Error('the client closed the request'));
    });
    const out = createResponder(res);
    const progressToken = params._meta.progressToken;
    callToolForMcp(
      options.engine,
      { name: params.name, arguments: params.arguments },
      {
        signal: controller.signal,
        progressToken:
          typeof progressToken === 'string' || typeof progressToken === 'number' ? progressToken : undefined,
        correlationHeader: origin.correlationId,
        sendNotification: async (notification) => out.send({ jsonrpc: '2.0', ...notification }),
        // The revision has no server-to-client requests; the SDK's modern servers refuse them the same way.
        sendRequest: async (request) => {
          throw new ProtocolError(
            JsonRpcCode.methodNotFound,
            `${request.method} cannot reach a 2026-07-28 client during a call (the revision has no server-to-client requests)`,
          );
        },
        caller: { userAgent: req.headers['user-agent'], ip: origin.ip },
      },
    ).then(
      (result) => {
        answered = true;
        out.finish(
          jsonRpcResult(id, {
            ...result,
            resultType: 'complete',
            _meta: { ...result._meta, [SERVER_INFO_KEY]: options.serverInfo },
          }),
        );
      },
      (error: unknown) => {
        answered = true;
        const known = error instanceof ProtocolError;
        out.finish(
          jsonRpcError(
            id,
            known ? error.code : JsonRpcCode.internalError,
            known ? error.message : 'Internal error',
          ),
        );
      },
    );
  }

  return {
    takes: (req: IncomingMessage, body: unknown): boolean => takes(req, body),
    /** Takes the POST when it is a plain 2026-07-28 tools/call and returns true; false leaves it to the SDK. */
    handle(req: IncomingMessage, res: ServerResponse, body: unknown, origin: CallOrigin): boolean {
      if (!takes(req, body)) return false;
      handle(req, res, body, origin);
      return true;
    },
    touch(): void {},
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
