import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-limits.js';

/**
 * Why an incoming JSON-RPC message (or batch) is refused before anything handles it, or undefined.
 * Checked on every path a message enters by (/mcp through the raw front or express, stdio):
 *  - nesting deeper than MAX_JSON_DEPTH (serialising, validating or storing it would overflow a stack);
 *  - a numeric id that JSON.parse could not keep exactly (1e400 → Infinity, 2^64+1 rounded): the
 *    answer would carry another id than the request's.
 */
export function messageProblem(message: unknown): string | undefined {
  if (nestsDeeperThan(message, MAX_JSON_DEPTH)) {
    return `Invalid Request: the message is nested deeper than ${MAX_JSON_DEPTH} levels`;
  }
  for (const item of Array.isArray(message) ? message : [message]) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && !Number.isSafeInteger(id)) {
      return 'Invalid Request: a numeric id must be an integer within ±(2^53 − 1); use a string id';
    }
  }
  return undefined;
}
