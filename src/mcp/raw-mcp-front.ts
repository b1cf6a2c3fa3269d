import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../http/error-middleware.js';
import type { FinishedRequest } from '../metrics.js';
import { isCorrelationId, JsonRpcCode, jsonRpcError, MEDIA_JSON } from '../shared/json-rpc.js';
import { sessionOwner } from './http-session-manager.js';
import { messageProblem } from './message-limits.js';
import { MODERN_REVISION } from './modern-tool-calls.js';

/** What the raw front needs from the rest of the hub; each piece is the same logic express runs. */
export interface RawMcpFrontOptions {
  bodyLimitBytes: number;
  /** The session's direct path when `owner` opened it, else undefined (express answers 404). */
  directFor(sessionId: string, owner: string): RawDirect | undefined;
  /** The 2026-07-28 direct path (no session): plain tools/call requests of that revision. */
  modernDirect: RawDirect;
  /** Why Host/Origin are refused (DNS rebinding), or undefined when they pass. */
  hostAndOriginProblem(headers: IncomingMessage['headers']): string | undefined;
  /** The caller's identity when it may call tools; undefined leaves the request to express (401/403). */
  admit(authorization: string | undefined): { identity: string } | undefined;
  /** Seconds to wait when the caller's call limit is used up, else 0. */
  consumeCall(identity: string, ip: string | undefined): Promise<number>;
  record(request: FinishedRequest): void;
}

/** A session's direct path as the raw front sees it (see direct-tool-calls.ts). */
interface RawDirect {
  takes(req: IncomingMessage, body: unknown): boolean;
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    origin: { correlationId?: string; ip?: string },
  ): boolean;
  touch(): void;
}

/**
 * `/mcp` POSTs of a known session, and session-less 2026-07-28 ones, answered before express sees them. Express with the middleware
 * shape of /mcp costs about 150 µs of CPU per request more than `node:http` (bench/front-overhead.ts),
 * a seventh of the hub's cost per call. Only the plainest requests come this way: a known session,
 * a Content-Length within the limit, no Content-Encoding or X-Forwarded-For, Host/Origin and the
 * API key accepted. The body is read and parsed here; a message the direct path does not take
 * (initialize, tools/list, notifications…) continues into express with the parsed body (its JSON
 * parser skips a body already read), where every check and answer is the usual one.
 */
export function createRawMcpFront(options: RawMcpFrontOptions) {
  return function tryTake(
    req: IncomingMessage,
    res: ServerResponse,
    express: (req: IncomingMessage, res: ServerResponse) => void,
  ): boolean {
    if (req.method !== 'POST' || req.url !== '/mcp') return false;
    const headers = req.headers;
    const sessionId = headers['mcp-session-id'];
    const modern = sessionId === undefined && headers['mcp-protocol-version'] === MODERN_REVISION;
    if (typeof sessionId !== 'string' && !modern) return false;
    if (headers['x-forwarded-for'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length <= 0 || length > options.bodyLimitBytes) return false;
    if (options.hostAndOriginProblem(headers) !== undefined) return false;
    const admitted = options.admit(headers.authorization);
    if (!admitted) return false;
    const direct = modern
      ? options.modernDirect
      : options.directFor(sessionId as string, sessionOwner(admitted.identity, req.socket.remoteAddress));
    if (!direct) return false;

    const started = performance.now();
    const given = headers['x-correlation-id'];
    const correlationId = isCorrelationId(given) ? given : randomUUID();
    const ip = req.socket.remoteAddress;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.bodyLimitBytes) chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      let body: unknown;
      try {
        if (size > options.bodyLimitBytes) throw new Error('too large');
        body = JSON.parse(
          chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        );
      } catch {
        const status = size > options.bodyLimitBytes ? 413 : 400;
        const error =
          status === 413
            ? jsonRpcError(
                null,
                JsonRpcCode.invalidRequest,
                `request body is larger than ${options.bodyLimitBytes} bytes`,
              )
            : jsonRpcError(null, JsonRpcCode.parseError, 'Parse error: the body is not valid JSON');
        res.writeHead(status, { 'content-type': MEDIA_JSON, 'x-correlation-id': correlationId });
        res.end(JSON.stringify(error));
        return;
      }
      const problem = messageProblem(body);
      if (problem !== undefined) {
        res.writeHead(400, { 'content-type': MEDIA_JSON, 'x-correlation-id': correlationId });
        res.end(JSON.stringify(jsonRpcError(null, JsonRpcCode.invalidRequest, problem)));
        return;
      }
      if (!direct.takes(req, body)) {
        // Not a direct-path message: express answers it, with the body already parsed.
        (req as IncomingMessage & { body?: unknown }).body = body;
        express(req, res);
        return;
      }
      res.on('finish', () =>
        options.record({
          route: '/mcp',
          correlation_id: correlationId,
          method: 'POST',
          path: '/mcp',
          status: res.statusCode,
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
          identity: admitted.identity,
        }),
      );
      res.setHeader('x-correlation-id', correlationId);
      options.consumeCall(admitted.identity, ip).then(
        (waitSeconds) => {
          if (waitSeconds > 0) {
            const text = JSON.stringify(
              errorBody('rate_limited', `rate limit reached; retry in ${waitSeconds} s`),
            );
            res.writeHead(429, { 'content-type': MEDIA_JSON, 'retry-after': String(waitSeconds) });
            res.end(text);
            return;
          }
          direct.touch();
          direct.handle(req, res, body, { correlationId, ip });
        },
        () => res.writeHead(500).end(),
      );
    });
    return true;
  };
}
