import { HubError } from '../errors.js';
import type { Logger } from '../logger.js';

interface Slot<C> {
  pending: Promise<C>;
  lastUsed: number;
  /** Requests using it now: an idle sweep never closes a slot in use. */
  inFlight: number;
}

/** A connection lent to one request: `release` when the request is done with it. */
export interface SessionLease<C> {
  conn: Promise<C>;
  release(): void;
}

export interface UpstreamSessionsOptions<C> {
  /** Upstream sessions one endpoint (instance) may hold for downstream sessions at once. */
  maxPerEndpoint: number;
  /** A session's upstream connection unused this long is closed (the next request opens one). */
  idleMs: number;
  close(conn: C): Promise<void>;
  logger: Logger;
}

/**
 * The upstream sessions opened on behalf of downstream MCP sessions (issue #12, session
 * isolation): a stateful server (one that gives the hub an `Mcp-Session-Id`, or speaks HTTP+SSE)
 * keeps session-scoped state — a log level, a toggled setting, a resource made for the session —
 * so each downstream session gets its own upstream session, opened on its first request and
 * closed when the downstream session ends or after `idleMs` unused. Each endpoint holds at most
 * `maxPerEndpoint`; one more is refused as `instance_busy` (nothing was sent, so the engine may
 * try another instance), never by closing a session someone else still counts on.
 *
 * Only the bookkeeping lives here; opening and closing connections is the pool's.
 */
export function createUpstreamSessions<C>(options: UpstreamSessionsOptions<C>) {
  const byEndpoint = new Map<string, Map<string, Slot<C>>>();

  function remove(endpoint: string, session: string, slot: Slot<C>): boolean {
    const slots = byEndpoint.get(endpoint);
    if (slots?.get(session) !== slot) return false;
    slots.delete(session);
    if (slots.size === 0) byEndpoint.delete(endpoint);
    return true;
  }

  async function closeSlot(slot: Slot<C>): Promise<void> {
    const conn = await slot.pending.catch(() => undefined);
    if (conn !== undefined) await options.close(conn);
  }

  const sweepEvery = Math.max(250, Math.min(60_000, Math.floor(options.idleMs / 4)));
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - options.idleMs;
    for (const [endpoint, slots] of byEndpoint)
      for (const [session, slot] of slots)
        if (slot.inFlight === 0 && slot.lastUsed < cutoff && remove(endpoint, session, slot)) {
          options.logger.debug('idle upstream session closed', { endpoint });
          void closeSlot(slot);
        }
  }, sweepEvery);
  sweeper.unref();

  return {
    /**
     * The session's connection to an endpoint, opened by `open` on first use. Throws
     * `instance_busy` when the endpoint already holds its bound of sessions.
     */
    lease(endpoint: string, session: string, open: () => Promise<C>): SessionLease<C> {
      let slots = byEndpoint.get(endpoint);
      let slot = slots?.get(session);
      if (!slot) {
        if ((slots?.size ?? 0) >= options.maxPerEndpoint)
          throw new HubError(
            'instance_busy',
            `the instance is busy: it already holds ${options.maxPerEndpoint} upstream sessions, one per MCP session ` +
              '(upstream.maxSessionsPerInstance); try again when a session ends or idles out',
          );
        if (!slots) {
          slots = new Map();
          byEndpoint.set(endpoint, slots);
        }
        const opened: Slot<C> = { pending: open(), lastUsed: Date.now(), inFlight: 0 };
        // A session that could not be opened is not kept: the next request tries again.
        opened.pending.catch(() => remove(endpoint, session, opened));
        slots.set(session, opened);
        slot = opened;
      }
      const held = slot;
      held.inFlight++;
      held.lastUsed = Date.now();
      let released = false;
      return {
        conn: held.pending,
        release() {
          if (released) return;
          released = true;
          held.inFlight--;
          held.lastUsed = Date.now();
        },
      };
    },

    /**
     * Drops the session's connection to an endpoint when `which` picks it (it failed, or the
     * server closed it): a newer connection opened meanwhile stays.
     */
    async discard(endpoint: string, session: string, which: (conn: C) => boolean): Promise<void> {
      const slot = byEndpoint.get(endpoint)?.get(session);
      const conn = await slot?.pending.catch(() => undefined);
      if (!slot || conn === undefined || !which(conn)) return;
      if (remove(endpoint, session, slot)) await options.close(conn);
    },

    /** The endpoints a downstream session holds an upstream session with. */
    endpointsOf(session: string): string[] {
      const found: string[] = [];
      for (const [endpoint, slots] of byEndpoint) if (slots.has(session)) found.push(endpoint);
      return found;
    },

    /** The downstream session ended: its upstream sessions end too. */
    async end(session: string): Promise<void> {
      const closing: Promise<void>[] = [];
      for (const [endpoint, slots] of byEndpoint) {
        const slot = slots.get(session);
        if (slot && remove(endpoint, session, slot)) closing.push(closeSlot(slot));
      }
      await Promise.all(closing);
    },

    /** An endpoint went away (deregistered): every session's connection to it ends. */
    async forget(endpoint: string): Promise<void> {
      const slots = byEndpoint.get(endpoint);
      byEndpoint.delete(endpoint);
      await Promise.all([...(slots?.values() ?? [])].map(closeSlot));
    },

    /** Upstream sessions open to an endpoint for downstream sessions. */
    countAt(endpoint: string): number {
      return byEndpoint.get(endpoint)?.size ?? 0;
    },

    async close(): Promise<void> {
      clearInterval(sweeper);
      const all = [...byEndpoint.values()].flatMap((slots) => [...slots.values()]);
      byEndpoint.clear();
      await Promise.all(all.map(closeSlot));
    },
  };
}
