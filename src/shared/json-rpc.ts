/**
 * JSON-RPC 2.0 and its streamable-HTTP framing, as the hub's hand-written paths write and read it:
 * the raw front and the tools/call fast path toward callers (src/mcp/raw-mcp-front.ts,
 * direct-tool-calls.ts) and the tools/call fast path toward spokes (src/execution/upstream-rpc.ts).
 * Everything else is the official SDK's. One module, so that message shapes, error bodies, SSE
 * framing, media types and correlation ids are written once (docs/decisions.md says why the hand
 * paths exist at all).
 */

export type JsonRpcId = string | number;

/** A message as it arrives: nothing is trusted until checked. */
export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

export const JsonRpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** MissingRequiredClientCapabilityError (2026-07-28): what was needed in `data.requiredCapabilities`. */
  missingCapability: -32021,
} as const;

export const MEDIA_JSON = 'application/json';
export const MEDIA_SSE = 'text/event-stream';
/** What a streamable-HTTP client must accept (both, per the transport). */
export const ACCEPT_JSON_AND_SSE = `${MEDIA_JSON}, ${MEDIA_SSE}`;
/** A Content-Type that is JSON (with or without parameters). */
export const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
/** Response headers of an SSE answer. */
export const SSE_RESPONSE_HEADERS = { 'content-type': MEDIA_SSE, 'cache-control': 'no-cache, no-transform' };

/** An `X-Correlation-Id` the hub takes as given; anything else is replaced by a fresh UUID. */
const VALID_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const isCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && VALID_CORRELATION_ID.test(value);

export function jsonRpcRequest(id: JsonRpcId, method: string, params?: unknown) {
  return { jsonrpc: '2.0' as const, id, method, ...(params === undefined ? {} : { params }) };
}

export function jsonRpcNotification(method: string, params?: unknown) {
  return { jsonrpc: '2.0' as const, method, ...(params === undefined ? {} : { params }) };
}

export function jsonRpcResult(id: JsonRpcId, result: unknown) {
  return { jsonrpc: '2.0' as const, id, result };
}

/** An error response; `id` is null when the request's own could not be read. */
export function jsonRpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown) {
  return {
    jsonrpc: '2.0' as const,
    id,
    error: { code, message, ...(data === undefined ? {} : { data }) },
  };
}

/**
 * The JSON-RPC code an error carries, whichever SDK line (or the hub) raised it: both SDKs'
 * protocol errors have a numeric `code`; anything else is an internal error.
 */
export function errorCodeOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return Number.isSafeInteger(code) ? (code as number) : JsonRpcCode.internalError;
}

/**
 * One message as JSON. Should a value slip past the limits on what enters (json-limits.ts) and
 * fail to serialise, the peer gets a JSON-RPC error for the same id instead of an exception
 * escaping the request (which would take the process down with every other caller).
 */
export function serializeMessage(message: unknown): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    const id = (message as { id?: unknown } | null)?.id;
    return JSON.stringify(
      jsonRpcError(
        typeof id === 'string' || typeof id === 'number' ? id : null,
        JsonRpcCode.internalError,
        `Internal error: the answer could not be serialised (${(error as Error).message})`,
      ),
    );
  }
}

/** One SSE event carrying a JSON-RPC message (the streamable-HTTP framing). */
export function sseFrame(message: unknown): string {
  return `event: message\ndata: ${serializeMessage(message)}\n\n`;
}
