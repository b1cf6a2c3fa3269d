import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(value: string): string | undefined {
  try {
    return new URL(`http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

/** Why a request's Host or Origin is refused, or undefined when both pass. */
export type HostOriginCheck = (headers: IncomingHttpHeaders) => string | undefined;

/**
 * DNS-rebinding protection for every browser-reachable route (/mcp, the REST API, /docs): a page
 * on another site that resolves its own name to this hub sends that name as Host, and its own
 * Origin. Loopback names are always accepted; others only when configured. Requests without an
 * Origin (non-browser clients) pass the Origin check.
 */
export function createHostOriginCheck(options: {
  allowedHosts: string[];
  allowedOrigins: string[];
}): HostOriginCheck {
  const allowedHosts = new Set([...LOOPBACK_NAMES, ...options.allowedHosts.map((h) => h.toLowerCase())]);
  const allowedOrigins = new Set(options.allowedOrigins);
  return (headers) => {
    const host = hostnameOf(headers.host ?? '');
    if (!host || !allowedHosts.has(host.toLowerCase()))
      return `Forbidden: host ${headers.host ?? '(none)'} is not allowed`;
    const origin = headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).hostname;
      } catch {
        originHost = undefined;
      }
      if (!originHost || !LOOPBACK_NAMES.has(originHost)) return `Forbidden: origin ${origin} is not allowed`;
    }
    return undefined;
  };
}
