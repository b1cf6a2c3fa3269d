import type { RequestHandler } from 'express';
import { HubError } from '../errors.js';

/** Deepest JSON nesting a request body may have; deeper bodies are refused before anything recurses over them. */
const MAX_JSON_DEPTH = 64;

/** Iterative depth of a parsed JSON value (no recursion, so hostile input cannot overflow the stack). */
function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

export const limitJsonDepth: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined && jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    next(
      new HubError('validation_failed', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
        { path: 'body', message: 'too deeply nested' },
      ]),
    );
    return;
  }
  next();
};
