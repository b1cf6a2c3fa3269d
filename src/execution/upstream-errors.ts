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

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${error.message} (${cause.code})` : error.message;
}
