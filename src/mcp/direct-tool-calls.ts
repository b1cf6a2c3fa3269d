import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ClientCapabilities,
  ProtocolError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { Engine } from '../execution/engine.js';
import { CallAbortController } from '../shared/call-abort.js';
import { InFlight } from '../shared/in-flight.js';
import {
  errorCodeOf,
  JSON_CONTENT_TYPE,
  type JsonRpcMessage as JsonRpcBody,
  jsonRpcRequest,
  jsonRpcResult,
  MEDIA_JSON,
  MEDIA_SSE,
  type JsonRpcId as RequestId,
  SSE_RESPONSE_HEADERS,
  serializeMessage,
  sseFrame,
} from '../shared/json-rpc.js';
import { assertCallerSupports, checkedAnswer } from './relayed-requests.js';
import { callErrorResponse, callToolForMcp } from './tool-call.js';

/** A direct call of the session, in flight. */
interface RunningCall {
  id: RequestId;
  controller: CallAbortController;
  slot: number;
}

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** Who sent the POST, as the front worked it out (express, or the raw front ahead of it). */
export interface CallOrigin {
  correlationId?: string;
  ip?: string;
}

const SUPPORTED_VERSIONS = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/**
 * The hot path of the MCP front: a session's `tools/call` POSTs answered without the SDK's server
 * transport (no Web Request/Response adapter, no zod parse of every message, no stream per
 * request). The body express already parsed goes straight to the engine; the answer is one JSON
 * body, or an SSE stream as soon as the call has something to send first (progress, a relayed log
 * message, a sampling or elicitation request). Whatever this path does not take — other methods,
 * unusual headers, malformed messages — goes to the SDK transport of the same session, which
 * answers it (and its errors) exactly as before.
 *
 * It also owns the two follow-ups of its calls: `notifications/cancelled` naming one of them, and
 * the caller's answers to requests relayed during them.
 */
export function createDirectToolCalls(options: {
  engine: Engine;
  sessionId: string;
  /** The key the session's upstream sessions go by (the same as its MCP server's handlers use). */
  upstreamSession: string;
  clientCapabilities: () => ClientCapabilities | undefined;
}) {
  // Not a Map: see InFlight (a session has few calls in flight; its lookups scan them).
  const running = new InFlight<RunningCall>();
  const runningCall = (id: unknown) => running.find((call) => call.id === id);
  const waiting = new Map<string, Waiting>();
  let counter = 0;
  let closed = false;

  function takesCall(req: IncomingMessage, body: JsonRpcBody): boolean {
    if (body.method !== 'tools/call' || body.jsonrpc !== '2.0') return false;
    if (typeof body.id !== 'string' && typeof body.id !== 'number') return false;
    if (runningCall(body.id)) return false;
    const params = body.params as { name?: unknown; arguments?: unknown; _meta?: unknown } | undefined;
    if (!isPlainObject(params) || typeof params.name !== 'string') return false;
    if (params.arguments !== undefined && !isPlainObject(params.arguments)) return false;
    if (params._meta !== undefined && !isPlainObject(params._meta)) return false;
    const accept = req.headers.accept ?? '';
    if (!accept.includes(MEDIA_JSON) || !accept.includes(MEDIA_SSE)) return false;
    if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) return false;
    const version = req.headers['mcp-protocol-version'];
    return version === undefined || (typeof version === 'string' && SUPPORTED_VERSIONS.has(version));
  }

  /** Which of this path's messages a body is: a tools/call, a cancel of one, an answer to a relayed request. */
  function kindOf(req: IncomingMessage, body: unknown): 'call' | 'cancel' | 'answer' | undefined {
    if (closed || !isPlainObject(body)) return undefined;
    const message = body as JsonRpcBody;
    if (takesCall(req, message)) return 'call';
    if (message.method === 'notifications/cancelled')
      return runningCall(cancelledId(message)) ? 'cancel' : undefined;
    if (message.method === undefined && typeof message.id === 'string' && waiting.has(message.id))
      return 'answer';
    return undefined;
  }

  function call(req: IncomingMessage, res: ServerResponse, body: JsonRpcBody, caller: CallOrigin): void {
    const id = body.id as RequestId;
    const params = body.params as {
      name: string;
      arguments?: Record<string, unknown>;
      _meta?: { progressToken?: string | number };
    };
    const controller = new CallAbortController();
    const entry: RunningCall = { id, controller, slot: -1 };
    running.add(entry);
    const out = createResponder(res, options.sessionId);
    const progressToken = params._meta?.progressToken;
    callToolForMcp(
      options.engine,
      { name: params.name, arguments: params.arguments },
      {
        signal: controller.signal,
        progressToken:
          typeof progressToken === 'string' || typeof progressToken === 'number' ? progressToken : undefined,
        // The id the front settled on (the caller's, or a new one it echoed back).
        correlationHeader: caller.correlationId,
        sendNotification: async (notification) => out.send({ jsonrpc: '2.0', ...notification }),
        sendRequest: async (request) => {
          const resultType = assertCallerSupports(request.method, options.clientCapabilities());
          const relayedId = `fin-hub-${++counter}`;
          const answer = new Promise<unknown>((resolve, reject) => {
            waiting.set(relayedId, { resolve, reject });
            const onAbort = () =>
              reject(new ProtocolError(-32001, 'the call ended before the client answered'));
            controller.signal.addEventListener('abort', onAbort, { once: true });
          });
          out.send(jsonRpcRequest(relayedId, request.method, request.params));
          try {
            return checkedAnswer(request.method, resultType, await answer);
          } finally {
            waiting.delete(relayedId);
          }
        },
        capabilities: options.clientCapabilities(),
        session: options.upstreamSession,
        caller: { userAgent: req.headers['user-agent'], ip: caller.ip },
      },
    )
      .then(
        (result) => out.finish(jsonRpcResult(id, result)),
        (error: unknown) => out.finish(callErrorResponse(id, error)),
      )
      .finally(() => {
        running.delete(entry);
      });
  }

  return {
    /** Whether `handle` would take this message (no side effect). */
    takes(req: IncomingMessage, body: unknown): boolean {
      return kindOf(req, body) !== undefined;
    },

    /**
     * Takes the POST when it is one of this path's messages and returns true; false leaves it to
     * the SDK transport.
     */
    handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: CallOrigin): boolean {
      const kind = kindOf(req, body);
      const message = body as JsonRpcBody;
      if (kind === 'call') call(req, res, message, caller);
      else if (kind === 'cancel') {
        runningCall(cancelledId(message))!.controller.abort(new Error('cancelled by the client'));
        res.writeHead(202).end();
      } else if (kind === 'answer') {
        const pending = waiting.get(message.id as string)!;
        if (message.error) {
          pending.reject(
            new ProtocolError(
              errorCodeOf(message.error),
              String(message.error.message ?? 'the client refused'),
            ),
          );
        } else pending.resolve(message.result);
        res.writeHead(202).end();
      }
      return kind !== undefined;
    },

    get inFlight(): number {
      return running.size;
    },

    /** The session ended: its running calls are cancelled. */
    close(): void {
      closed = true;
      for (const call of running.values()) call.controller.abort(new Error('the MCP session closed'));
    },
  };
}

export type DirectToolCalls = ReturnType<typeof createDirectToolCalls>;

/**
 * Writes one call's answer: a single JSON body, or an SSE stream once something must go first.
 * A handshake-era answer names its session; a 2026-07-28 one has none.
 */
export function createResponder(res: ServerResponse, sessionId?: string) {
  const session = sessionId === undefined ? {} : { 'mcp-session-id': sessionId };
  let streaming = false;
  const gone = () => res.writableEnded || res.destroyed;
  return {
    send(message: unknown): void {
      if (gone()) return;
      if (!streaming) {
        streaming = true;
        res.writeHead(200, { ...SSE_RESPONSE_HEADERS, ...session });
      }
      res.write(sseFrame(message));
    },
    /** The last message; `status` applies only when nothing was streamed yet (an error's 4xx). */
    finish(message: unknown, status = 200): void {
      if (gone()) return;
      if (streaming) {
        res.end(sseFrame(message));
        return;
      }
      const body = serializeMessage(message);
      res.writeHead(status, {
        'content-type': MEDIA_JSON,
        'content-length': Buffer.byteLength(body),
        ...session,
      });
      res.end(body);
    },
  };
}

function cancelledId(message: JsonRpcBody): RequestId {
  return (message.params as { requestId?: unknown } | undefined)?.requestId as RequestId;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
