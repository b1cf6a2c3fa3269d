import { HubError } from '../errors.js';

/** SQLSTATE and socket codes that mean "the database is not reachable right now". */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (typeof code !== 'string')
    return /Connection terminated|timeout exceeded when trying to connect/i.test(String(error));
  return (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)
  );
}

/** The one place pg errors become HubErrors: an outage is a 503 with Retry-After, anything else stays a fault. */
export function mapDatabaseError(error: unknown): unknown {
  if (isConnectionError(error)) {
    return new HubError('database_unavailable', 'the database is unavailable; try again shortly', undefined, {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
  return error;
}
