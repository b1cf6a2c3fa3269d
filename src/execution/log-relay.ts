import type { Logger } from '../logger.js';
import type { InstanceView, RoutingView } from '../registry/routing-index.js';
import type { LogMessage, UpstreamPool } from './upstream-pool.js';

/** MCP's log levels (RFC 5424 severities), least severe first. */
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LEVELS)[number];
const severity = (level: string) => LEVELS.indexOf(level as LogLevel);

/** A downstream session that asked for server log messages with `logging/setLevel`. */
export interface LogSubscriber {
  id: string;
  send(message: LogMessage): void;
}

/**
 * Server log messages through the hub. A downstream session that calls `logging/setLevel` gets
 * every registered server's `notifications/message` at that level or above, its `logger` named
 * after the service (`<service>` or `<service>/<logger>`); a session that never set a level gets
 * none. Upstream, each handshake-era server offering logging is asked (`logging/setLevel`) for
 * the most verbose level any session wants, when that changes and when the hub connects to it;
 * the per-session filtering is the hub's. A session with its own upstream session (a server that
 * keeps state per session, upstream-sessions.ts) sets its own level there, and what comes on it
 * goes to that session alone. 2026-07-28 servers carry a level per request instead.
 */
export function createLogRelay(options: {
  routing: RoutingView;
  upstream: Pick<
    UpstreamPool,
    'request' | 'capabilitiesOf' | 'eraOf' | 'onLogMessage' | 'onConnected' | 'sessionEndpoints'
  >;
  logger: Logger;
}) {
  const { routing, upstream, logger } = options;
  const sessions = new Map<string, { level: LogLevel; subscriber: LogSubscriber }>();
  let upstreamLevel: LogLevel | undefined;

  const mostVerbose = (): LogLevel | undefined => {
    let found: LogLevel | undefined;
    for (const { level } of sessions.values()) if (!found || severity(level) < severity(found)) found = level;
    return found;
  };
  const instanceAt = (endpoint: string): InstanceView | undefined => {
    for (const instance of routing.allInstances()) if (instance.endpoint === endpoint) return instance;
    return undefined;
  };

  /** Asks a server for `level`: on the hub-owned session, or on `session`'s own. */
  async function applyUpstream(instance: InstanceView, level: LogLevel, session?: string): Promise<void> {
    try {
      if ((await upstream.eraOf(instance.endpoint, instance.upstreamHeaders)) !== 'legacy') return;
      const offers = await upstream.capabilitiesOf(instance.endpoint, instance.upstreamHeaders);
      if (!offers.logging) return;
      await upstream.request(
        instance.endpoint,
        instance.upstreamHeaders,
        'logging/setLevel',
        { level },
        session,
      );
    } catch (error) {
      logger.debug('upstream logging/setLevel failed', {
        service_id: instance.serviceId,
        error: (error as Error).message,
      });
    }
  }

  function levelsChanged(): void {
    const level = mostVerbose();
    if (level === undefined || level === upstreamLevel) return;
    upstreamLevel = level;
    const seen = new Set<string>();
    for (const instance of routing.allInstances()) {
      if (!instance.healthy || seen.has(instance.endpoint)) continue;
      seen.add(instance.endpoint);
      void applyUpstream(instance, level);
    }
  }

  upstream.onConnected((endpoint, session) => {
    const level = session === undefined ? upstreamLevel : sessions.get(session)?.level;
    const instance = instanceAt(endpoint);
    // After the connection is stored: the request below reuses it.
    if (level && instance) setImmediate(() => void applyUpstream(instance, level, session));
  });

  const deliver = (subscriber: LogSubscriber, message: LogMessage) => {
    try {
      subscriber.send(message);
    } catch (error) {
      logger.debug('log message not delivered', { error: String(error) });
    }
  };

  upstream.onLogMessage((endpoint, message, session) => {
    if (sessions.size === 0) return;
    const at = severity(message.level);
    if (at < 0) return;
    const service = instanceAt(endpoint)?.serviceName ?? 'upstream';
    const relayed = { ...message, logger: message.logger ? `${service}/${message.logger}` : service };
    // Said on one session's own upstream session: for that session only.
    if (session !== undefined) {
      const own = sessions.get(session);
      if (own && at >= severity(own.level)) deliver(own.subscriber, relayed);
      return;
    }
    for (const { level, subscriber } of sessions.values())
      if (at >= severity(level)) deliver(subscriber, relayed);
  });

  return {
    /** A session's `logging/setLevel`. */
    setLevel(subscriber: LogSubscriber, level: LogLevel): Record<string, never> {
      sessions.set(subscriber.id, { level, subscriber });
      levelsChanged();
      for (const endpoint of upstream.sessionEndpoints(subscriber.id)) {
        const instance = instanceAt(endpoint);
        if (instance) void applyUpstream(instance, level, subscriber.id);
      }
      return {};
    },
    /** The session ended. The upstream level stays (lowering it would need every server asked again). */
    drop(subscriberId: string): void {
      sessions.delete(subscriberId);
    },
  };
}

export type LogRelay = ReturnType<typeof createLogRelay>;
