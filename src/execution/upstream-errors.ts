import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * Why an upstream attempt failed, in the terms retries care about:
 * - `not_reached`: the request never reached a spoke (connection refused, no session could be opened);
 * - `may_have_run`: it was sent and the spoke may have acted on it (reset, timeout, 5xx);
 * - `caller`: the spoke rejected the arguments (JSON-RPC -32602): the caller's fault, never the spoke's.
 */
export type FailureKind = 'not_reached' | 'may_have_run' | 'caller';

/** An upstream failure with its retry class; the engine's one view of transport errors. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // The SSRF guard's lookup refused the address (src/shared/ssrf-guard.ts).
  'EADDR_NOT_ALLOWED',
]);

/** True when the error (or its cause chain) says no connection was ever made. */
export function isConnectFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Classifies an error thrown by `client.callTool`. */
export function classifyCallError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (isConnectFailure(error))
    return new UpstreamError('not_reached', `spoke unreachable: ${describe(error)}`, { cause: error });
  if (error instanceof McpError && error.code === -32602) {
    return new UpstreamError('caller', error.message.replace(/^MCP error -32602: /, ''), { cause: error });
  }
  return new UpstreamError('may_have_run', describe(error), { cause: error });
}

const describe = describeUpstreamFailure;

/**
 * What of an upstream failure reaches the caller. The SDK client quotes the response body of a
 * failed POST ("Error POSTing to endpoint: <body>"), which may be an internal service's page: only
 * the HTTP status is kept. Control characters go; the length is bounded.
 */
export function describeUpstreamFailure(error: unknown): string {
  if (!(error instanceof Error)) return sanitize(String(error));
  const status = (error as { code?: unknown }).code;
  if (/Error POSTing to endpoint/.test(error.message)) {
    return typeof status === 'number' ? `the spoke answered HTTP ${status}` : 'the spoke refused the request';
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return sanitize(cause?.code ? `${error.message} (${cause.code})` : error.message);
}

function sanitize(message: string): string {
  const text = message;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
