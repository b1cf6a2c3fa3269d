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

/**
 * A spoke answered a POST with an HTTP error status. The body is not kept: behind an endpoint may
 * sit any internal service, and its error page is not the caller's to read.
 */
export class UpstreamHttpError extends Error {
  override name = 'UpstreamHttpError';
  constructor(readonly status: number) {
    super(`the spoke answered HTTP ${status}`);
  }
}

/**
 * A spoke answered with a JSON-RPC error (from the hand-written call path). `code` is the
 * spoke's, as both SDK lines expose it on their protocol errors.
 */
export class UpstreamRpcError extends Error {
  override name = 'UpstreamRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The code (ECONNREFUSED…) of the error or its cause chain that says no connection was ever made. */
function connectFailureCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the error (or its cause chain) says no connection was ever made. */
export function isConnectFailure(error: unknown): boolean {
  return connectFailureCode(error) !== undefined;
}

/** Classifies an error thrown by `client.callTool`. */
export function classifyCallError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (isConnectFailure(error))
    return new UpstreamError('not_reached', `spoke unreachable: ${describe(error)}`, { cause: error });
  // Invalid params, whichever path raised it (the spoke's JSON-RPC error, or an SDK client's).
  if ((error as { code?: unknown } | null)?.code === -32602 && error instanceof Error) {
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
  // The SDK client's HTTP errors quote the body ("Error POSTing to endpoint: <body>"); the status
  // is in `data.status` (v2) or `code` (v1).
  if (/Error POSTing to endpoint/.test(error.message)) {
    const data = (error as { data?: { status?: unknown } }).data;
    const quoted = /\(HTTP (\d{3})\)/.exec(error.message)?.[1];
    const status =
      typeof data?.status === 'number'
        ? data.status
        : quoted !== undefined
          ? Number(quoted)
          : (error as { code?: unknown }).code;
    return typeof status === 'number' ? `the spoke answered HTTP ${status}` : 'the spoke refused the request';
  }
  // The SDK wraps a refused connection ("fetch failed"); the reason is deeper in the chain.
  const refused = connectFailureCode(error);
  if (refused) return sanitize(`${error.message} (${refused})`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return sanitize(cause?.code ? `${error.message} (${cause.code})` : error.message);
}

function sanitize(message: string): string {
  const text = message;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
