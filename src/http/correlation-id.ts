import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { isCorrelationId } from '../shared/json-rpc.js';

/** Takes `X-Correlation-Id` when it is well formed, otherwise generates one; echoes it on the response. */
export const correlationId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-correlation-id'];
  const id = isCorrelationId(given) ? given : randomUUID();
  res.locals.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};
