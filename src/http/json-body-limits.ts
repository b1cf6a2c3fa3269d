import type { RequestHandler } from 'express';
import { HubError } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-limits.js';

/**
 * REST bodies, right after parsing: nesting deeper than MAX_JSON_DEPTH is a 400 before validation,
 * storage or serialisation can recurse over it.
 */
export const limitJsonBody: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined && nestsDeeperThan(req.body, MAX_JSON_DEPTH)) {
    return next(
      new HubError('validation_failed', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
        { path: 'body', message: 'too deeply nested' },
      ]),
    );
  }
  next();
};
