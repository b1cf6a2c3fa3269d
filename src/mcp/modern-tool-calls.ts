import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type Implementation,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  SERVER_INFO_META_KEY,
} from '@modelcontextprotocol/server';
import type { Engine } from '../execution/engine.js';
import {
  JSON_CONTENT_TYPE,
  JsonRpcCode,
  type JsonRpcId,
  jsonRpcResult,
  MEDIA_JSON,
  MEDIA_SSE,
} from '../shared/json-rpc.js';
import type { CallOrigin } from './direct-tool-calls.js';
import { createResponder } from './direct-tool-calls.js';
import type { BridgedRound, InputRequiredBridge, RoundOutcome } from './input-required-bridge.js';
import { assertCallerSupports, checkedAnswer } from './relayed-requests.js';
import { callErrorResponse, callToolForMcp } from './tool-call.js';

type Responder = ReturnType<typeof createResponder>;

export const MODERN_REVISION = '2026-07-28';

interface ModernCall {
  id: JsonRpcId;
  params: {
    name: string;
    arguments?: Record<string, unknown>;
    _meta: Record<string, unknown> & { progressToken?: unknown };
    inputResponses?: unknown;
    requestState?: unknown;
  };
}

/**
 * The hot path of a 2026-07-28 `tools/call`: answered without the SDK's per-request server, Web
 * Request/Response adapter and zod parse (bench/RESULTS.md: through the SDK's `createMcpHandler`
 * a modern call cost the hub several times what a handshake-era call on the fast path costs).
 *
 * It takes only a request that is plainly valid — the routing headers mirror the body, the
 * `_meta` envelope names this revision and carries client capabilities, no per-request log level
 * (the SDK filters log messages by it) — and leaves everything else to the SDK
 * (modern-http-front.ts), which answers it and its errors by the revision's rules. The answer is
 * what the SDK would send: the result with `resultType: "complete"` and the hub's identity in
 * `_meta`, one JSON body or an SSE stream once progress or a relayed log message must go first. A
 * client that closes the request cancels the call (the revision has no session to send
 * `notifications/cancelled` on).
 *
 * When the call needs the caller (a spoke's sampling, elicitation or roots request), the round
 * answers `input_required` and the call waits for the caller's retry (input-required-bridge.ts);
 * retries carrying `requestState` come this way too, whatever else they carry.
 */
export function createModernToolCalls(options: {
  engine: Engine;
  serverInfo: Implementation;
  bridge: InputRequiredBridge;
}) {
  const { bridge } = options;
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
      meta[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION ||
      !isPlainObject(meta[CLIENT_CAPABILITIES_META_KEY])
    )
      return false;
    // A retry is this path's (the bridge holds its call); a per-request log level is the SDK's.
    if (params.requestState === undefined && meta[LOG_LEVEL_META_KEY] !== undefined) return false;
    const accept = headers.accept ?? '';
    if (!accept.includes(MEDIA_JSON) || !accept.includes(MEDIA_SSE)) return false;
    return JSON_CONTENT_TYPE.test(headers['content-type'] ?? '');
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: ModernCall, origin: CallOrigin): void {
    const { id, params } = body;
    const out = createResponder(res);
    const capabilities = params._meta[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities;
    const progressToken = params._meta.progressToken;
    const sink = (message: unknown) => out.send(message);
    // Known once the bridge has started the call (its questions come later, asynchronously).
    let round: BridgedRound | undefined;
    try {
      round =
        params.requestState === undefined
          ? bridge.start(params.name, sink, (signal, ask, notify) =>
              callToolForMcp(
                options.engine,
                { name: params.name, arguments: params.arguments },
                {
                  signal,
                  progressToken:
                    typeof progressToken === 'string' || typeof progressToken === 'number'
                      ? progressToken
                      : undefined,
                  correlationHeader: origin.correlationId,
                  // Progress and log messages go to the round in progress (none between rounds). A
                  // log message only when the request asked for that level (the revision's rule).
                  sendNotification: async (notification) => {
                    if (
                      notification.method === 'notifications/message' &&
                      !logWanted(params._meta, notification)
                    )
                      return;
                    notify({ jsonrpc: '2.0', ...notification });
                  },
                  sendRequest: async (request, asked) => {
                    let resultType: ReturnType<typeof assertCallerSupports>;
                    try {
                      resultType = assertCallerSupports(request.method, capabilities);
                    } catch (error) {
                      // The revision's rule: a request that needs a capability the caller did
                      // not declare is answered MissingRequiredClientCapabilityError, not run on.
                      if (error instanceof ProtocolError && error.code === JsonRpcCode.missingCapability)
                        round?.refuse(error);
                      throw error;
                    }
                    return checkedAnswer(request.method, resultType, await ask(request, asked?.key));
                  },
                  capabilities,
                  // Answers sent before anything asked go to a 2026-07-28 spoke's first round.
                  answered: isPlainObject(params.inputResponses) ? params.inputResponses : undefined,
                  caller: { userAgent: req.headers['user-agent'], ip: origin.ip },
                },
              ),
            )
          : bridge.resume(params.name, params.requestState, params.inputResponses, sink);
    } catch (error) {
      finish(out, id, error);
      return;
    }
    let answered = false;
    const started = round;
    res.on('close', () => {
      if (!answered) started.cancel('the client closed the request');
    });
    started.outcome.then(
      (outcome) => {
        answered = true;
        finish(out, id, undefined, outcome);
      },
      (error: unknown) => {
        answered = true;
        finish(out, id, error);
      },
    );
  }

  function finish(out: Responder, id: JsonRpcId, error: unknown, outcome?: RoundOutcome): void {
    if (outcome === undefined) {
      out.finish(
        callErrorResponse(id, error),
        // The revision answers a missing capability with 400 (when nothing was streamed yet).
        error instanceof ProtocolError && error.code === JsonRpcCode.missingCapability ? 400 : 200,
      );
      return;
    }
    const meta = { [SERVER_INFO_META_KEY]: options.serverInfo };
    out.finish(
      jsonRpcResult(
        id,
        outcome.kind === 'complete'
          ? { ...outcome.result, resultType: 'complete', _meta: { ...outcome.result._meta, ...meta } }
          : {
              resultType: 'input_required',
              inputRequests: outcome.inputRequests,
              requestState: outcome.requestState,
              _meta: meta,
            },
      ),
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

const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Whether a spoke's log message reaches a 2026-07-28 caller: only at or above the level it asked for. */
function logWanted(meta: Record<string, unknown>, notification: { params?: unknown }): boolean {
  const wanted = LOG_LEVELS.indexOf(String(meta[LOG_LEVEL_META_KEY]));
  const level = LOG_LEVELS.indexOf(String((notification.params as { level?: unknown } | undefined)?.level));
  return wanted >= 0 && level >= wanted;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
