import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HubError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The JSON body of every REST error. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Maps body-parser failures to HubErrors: the one place express's own errors are translated. */
function toHubError(error: unknown, bodyLimit: number): HubError | undefined {
  if (error instanceof HubError) return error;
  const e = error as { type?: string; status?: number; message?: string };
  switch (e?.type) {
    case 'entity.too.large':
      return new HubError('payload_too_large', `request body is larger than the limit of ${bodyLimit} bytes`);
    case 'entity.parse.failed':
      return new HubError('malformed_json', `request body is not valid JSON: ${e.message}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HubError('unsupported_media_type', e.message ?? 'unsupported encoding');
    case 'request.aborted':
      return new HubError('validation_failed', 'request aborted by the client');
    default:
      if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
        return new HubError('validation_failed', e.message ?? 'bad request');
      }
      return undefined;
  }
}

/**
 * Answers every error with the one JSON shape. A 5xx that is not a HubError is a fault of ours:
 * its message is hidden from the client and logged with the correlation id.
 */
export function createErrorMiddleware(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const correlationId = res.locals.correlationId as string | undefined;
    const hubError = toHubError(error, bodyLimit);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (!hubError || hubError.status >= 500) {
      const known = hubError && hubError.code !== 'internal_error';
      logger[known ? 'warn' : 'error'](known ? 'request failed' : 'unexpected error', {
        correlation_id: correlationId,
        method: req.method,
        path: req.path,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    const final = hubError ?? new HubError('internal_error', 'internal error');
    if (final.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(final.retryAfterSeconds));
    const message =
      final.code === 'internal_error' ? `internal error (correlation id ${correlationId})` : final.message;
    res.status(final.status).json(errorBody(final.code, message, final.details));
  };
}

/** 415 unless a request that carries a body says it is JSON. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if ((req.method === 'POST' || req.method === 'PUT') && hasBody && !req.is('application/json')) {
    next(
      new HubError(
        'unsupported_media_type',
        `content type ${req.headers['content-type'] ?? '(none)'} is not application/json`,
      ),
    );
    return;
  }
  next();
};

/** 404 in the error shape for paths no route matched. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HubError('not_found', `no route for ${req.method} ${req.path}`));
};
