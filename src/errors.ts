/** Stable error codes; clients branch on these, so they never change meaning. */
export type HubErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'service_not_found'
  | 'tool_not_found'
  | 'execution_not_found'
  | 'tool_name_conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'registry_full'
  | 'address_not_allowed'
  | 'no_healthy_instance'
  | 'instance_busy'
  | 'breaker_open'
  | 'upstream_unreachable'
  | 'upstream_error'
  | 'timeout'
  | 'cancelled'
  | 'execution_finished'
  | 'shutting_down'
  | 'database_unavailable'
  | 'internal_error';

const STATUS: Record<HubErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  service_not_found: 404,
  tool_not_found: 404,
  execution_not_found: 404,
  tool_name_conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  registry_full: 429,
  address_not_allowed: 400,
  no_healthy_instance: 503,
  instance_busy: 503,
  breaker_open: 503,
  upstream_unreachable: 502,
  upstream_error: 502,
  timeout: 504,
  cancelled: 409,
  execution_finished: 409,
  shutting_down: 503,
  database_unavailable: 503,
  internal_error: 500,
};

/** The one error family of the hub: a stable `code`, the HTTP status it maps to, optional details. */
export class HubError extends Error {
  override name = 'HubError';
  readonly status: number;
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}
