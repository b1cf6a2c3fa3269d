import { ToolInputError } from '../series-input.js';

/** A live data provider as the tools name it: its display name and the variable holding its key. */
export interface LiveService {
  name: string;
  keyVariable: string;
}

/** A live provider's failure, worded for the model that called the tool (a tool error, never a crash). */
export class LiveDataError extends Error {
  override name = 'LiveDataError';
}

/** Said by a tool whose live data needs a key nobody set. */
export function keyMissing(what: string, ...variables: string[]): ToolInputError {
  return new ToolInputError(
    `${what} needs live data: set ${variables.join(' or ')} in the spoke's environment (README: live data providers)`,
  );
}

export interface LiveRequestOptions {
  /** One request's deadline. @default 10 s */
  timeoutMs?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Statuses whose JSON body the caller reads itself (e.g. a provider's "no such series" 400). */
  acceptStatuses?: number[];
}

/**
 * GETs (or POSTs) JSON from one live provider with a deadline, turning every way it can fail into
 * a LiveDataError that names the provider and what to do. After a 429 the provider is not asked
 * again until its Retry-After (or a minute) has passed: the spoke's callers get the same clear
 * answer at once instead of spending the provider's quota on refusals.
 */
export function createLiveClient(service: LiveService) {
  let blockedUntil = 0;
  const retryIn = () => Math.max(1, Math.ceil((blockedUntil - Date.now()) / 1000));
  return async function requestJson(url: string, options: LiveRequestOptions = {}): Promise<unknown> {
    if (Date.now() < blockedUntil)
      throw new LiveDataError(
        `${service.name} rate limit reached: retry in ${retryIn()} s (the spoke waits out the provider's limit)`,
      );
    const timeoutMs = options.timeoutMs ?? 10_000;
    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      // fetch wraps the socket's error (ECONNREFUSED, ENOTFOUND…) in `cause`, sometimes in a list of them.
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
        .cause;
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000} s`
          : (cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message);
      throw new LiveDataError(`${service.name} is unreachable (${reason}); try again later`);
    }
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      blockedUntil = Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
      await response.body?.cancel();
      throw new LiveDataError(`${service.name} rate limit reached: retry in ${retryIn()} s`);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new LiveDataError(
        `${service.name} refused the API key (HTTP ${response.status}): check ${service.keyVariable}`,
      );
    }
    if (!response.ok && !options.acceptStatuses?.includes(response.status)) {
      await response.body?.cancel();
      throw new LiveDataError(`${service.name} answered HTTP ${response.status}; try again later`);
    }
    try {
      return await response.json();
    } catch {
      throw new LiveDataError(`${service.name} answered something that is not JSON`);
    }
  };
}

/** A provider's answer that lacks what the tool needs: said as the provider's fault, not the caller's. */
export function unexpectedAnswer(service: LiveService, what: string): LiveDataError {
  return new LiveDataError(`${service.name} answered without ${what}`);
}
