import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../http/error-middleware.js';
import type { FinishedRequest } from '../metrics.js';
import { sessionOwner } from './http-session-manager.js';
import { messageProblem } from './message-limits.js';

/** What the raw front needs from the rest of the hub; each piece is the same logic express runs. */
export interface RawMcpFrontOptions {
  bodyLimitBytes: number;
  /** The session's direct path when `owner` opened it, else undefined (express answers 404). */
  directFor(sessionId: string, owner: string): RawDirect | undefined;
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

const VALID_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `/mcp` POSTs of a known session, answered before express sees them. Express with the middleware
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
    if (typeof sessionId !== 'string') return false;
    if (headers['x-forwarded-for'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length <= 0 || length > options.bodyLimitBytes) return false;
    if (options.hostAndOriginProblem(headers) !== undefined) return false;
    const admitted = options.admit(headers.authorization);
    if (!admitted) return false;
    const direct = options.directFor(sessionId, sessionOwner(admitted.identity, req.socket.remoteAddress));
    if (!direct) return false;

    const started = performance.now();
    const given = headers['x-correlation-id'];
    const correlationId =
      typeof given === 'string' && VALID_CORRELATION_ID.test(given) ? given : randomUUID();
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
            ? { code: -32600, message: `request body is larger than ${options.bodyLimitBytes} bytes` }
            : { code: -32700, message: 'Parse error: the body is not valid JSON' };
        const text = JSON.stringify({ jsonrpc: '2.0', id: null, error });
        res.writeHead(status, { 'content-type': 'application/json', 'x-correlation-id': correlationId });
        res.end(text);
        return;
      }
      const problem = messageProblem(body);
      if (problem !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json', 'x-correlation-id': correlationId });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: problem } }));
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
            res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(waitSeconds) });
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
