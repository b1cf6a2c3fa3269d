import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { Logger } from '../logger.js';
import { exposedName } from '../registry/registry-types.js';
import type { InstanceView, RoutingView } from '../registry/routing-index.js';
import type { UpstreamPool } from './upstream-pool.js';

/** How a service's names are exposed (the same rule as its tools: prefix, namespace, or none). */
export type NamingOf = (serviceId: string) => { prefix?: string | null; namespace?: string | null };

type Item = Record<string, unknown>;

const NO_COMPLETION = { completion: { values: [], hasMore: false } };

/** A downstream session subscribed to resource updates. */
export interface ResourceSubscriber {
  id: string;
  updated(uri: string): void;
}

/** Which service an exposed prompt name, resource URI or template belongs to. */
interface Owner {
  instance: InstanceView;
  upstreamName?: string;
}

/**
 * Prompts, resources, resource templates and completion of every registered server, through the
 * hub: lists are gathered from one healthy instance of each service (the hub's pooled connections)
 * and merged, kept for `cacheMs`; a prompt is named as the service's tools are (`<prefix>_`,
 * `<namespace>__`), a resource keeps its URI; `prompts/get`, `resources/read` and
 * `completion/complete` go to the service that listed the name or URI (a template by the fixed
 * part of its URI before the first `{`). A server that fails to answer a list is left out of it
 * (logged), not the whole list.
 *
 * A session holding its own upstream session with a server (one that keeps state per session,
 * upstream-sessions.ts) sees that server's lists as its own session has them — a resource made
 * for it, say — fetched afresh on every list (such servers are few); the cached merge is the
 * hub-owned sessions' view, for everyone else.
 */
export function createFederatedSurface(options: {
  routing: RoutingView;
  upstream: Pick<
    UpstreamPool,
    | 'request'
    | 'capabilitiesOf'
    | 'eraOf'
    | 'onResourceUpdated'
    | 'sessionEndpoints'
    | 'keepsSessions'
    | 'followResource'
  >;
  namingOf: NamingOf;
  logger: Logger;
  /** How long a merged list is reused. @default 2000 */
  cacheMs?: number;
  /** Items per page of a merged list (the hub's tools/list page size). @default 100 */
  pageSize?: number;
}) {
  const { routing, upstream, logger } = options;
  const cacheMs = options.cacheMs ?? 2_000;
  const pageSize = options.pageSize ?? 100;
  const lists = new Map<
    string,
    { at: number; items: { key: string; item: Item }[]; owners: Map<string, Owner> }
  >();
  /**
   * Resource subscriptions: per upstream resource (`endpoint` + URI), the downstream sessions that
   * asked. The hub subscribes upstream once, on the first, and unsubscribes after the last. With a
   * server that keeps sessions, each session subscribes on its own upstream session (`session`):
   * what the server sends there is that session's alone.
   */
  const subscriptions = new Map<
    string,
    {
      owner: Owner;
      uri: string;
      session?: string;
      subscribers: Map<string, ResourceSubscriber>;
      /** Ends a 2026-07-28 server's listen stream for it (those servers have no unsubscribe). */
      stop?: () => Promise<void>;
    }
  >();
  const subscriptionKey = (endpoint: string, uri: string, session?: string) =>
    `${endpoint}\u0000${uri}\u0000${session ?? ''}`;
  upstream.onResourceUpdated((endpoint, uri, session) => {
    const entry = subscriptions.get(subscriptionKey(endpoint, uri, session));
    for (const subscriber of entry?.subscribers.values() ?? []) subscriber.updated(uri);
  });

  async function unsubscribeUpstream(key: string): Promise<void> {
    const entry = subscriptions.get(key);
    if (!entry || entry.subscribers.size > 0) return;
    subscriptions.delete(key);
    const unsubscribe = entry.stop
      ? entry.stop()
      : ask(entry.owner, 'resources/unsubscribe', { uri: entry.uri }, entry.session);
    await unsubscribe.catch((error) =>
      logger.debug('upstream unsubscribe failed', { uri: entry.uri, error: (error as Error).message }),
    );
  }

  /** One healthy instance per service name; those in `preferred` first (a session's own). */
  function services(preferred: ReadonlySet<string>): InstanceView[] {
    const one = new Map<string, InstanceView>();
    for (const instance of routing.allInstances()) {
      if (!instance.healthy) continue;
      const known = one.get(instance.serviceName);
      if (!known || (!preferred.has(known.endpoint) && preferred.has(instance.endpoint)))
        one.set(instance.serviceName, instance);
    }
    return [...one.values()];
  }

  async function gather(
    method: 'prompts/list' | 'resources/list' | 'resources/templates/list',
    field: 'prompts' | 'resources' | 'resourceTemplates',
    capability: 'prompts' | 'resources',
    keyOf: (instance: InstanceView, item: Item) => { key: string; item: Item; upstreamName?: string },
    session?: string,
  ) {
    const own = new Set(session === undefined ? [] : upstream.sessionEndpoints(session));
    const cached = lists.get(method);
    if (own.size === 0 && cached && Date.now() - cached.at < cacheMs) return cached;
    const owners = new Map<string, Owner>();
    const items: { key: string; item: Item }[] = [];
    await Promise.all(
      services(own).map(async (instance) => {
        try {
          const offers = await upstream.capabilitiesOf(instance.endpoint, instance.upstreamHeaders);
          if (!offers[capability]) return;
          let cursor: unknown;
          let pages = 0;
          do {
            const page = await upstream.request(
              instance.endpoint,
              instance.upstreamHeaders,
              method,
              cursor === undefined ? {} : { cursor },
              own.has(instance.endpoint) ? session : undefined,
            );
            for (const raw of (page[field] as Item[] | undefined) ?? []) {
              const { key, item, upstreamName } = keyOf(instance, raw);
              if (owners.has(key)) continue;
              owners.set(key, { instance, upstreamName });
              items.push({ key, item });
            }
            cursor = page.nextCursor;
          } while (typeof cursor === 'string' && ++pages < 100);
        } catch (error) {
          logger.warn('a server left out of a merged list', {
            service_id: instance.serviceId,
            method,
            error: (error as Error).message,
          });
        }
      }),
    );
    // Sorted by name or URI: pages and their cursors stay stable whatever order servers answer in.
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const entry = { at: Date.now(), items, owners };
    // A session's own view is its alone: not kept for others.
    if (own.size === 0) lists.set(method, entry);
    return entry;
  }

  const prompts = (session?: string) =>
    gather(
      'prompts/list',
      'prompts',
      'prompts',
      (instance, item) => {
        const { prefix, namespace } = options.namingOf(instance.serviceId);
        const name = exposedName(String(item.name), prefix, namespace);
        return { key: name, item: { ...item, name }, upstreamName: String(item.name) };
      },
      session,
    );
  const resources = (session?: string) =>
    gather(
      'resources/list',
      'resources',
      'resources',
      (_instance, item) => ({ key: String(item.uri), item }),
      session,
    );
  const templates = (session?: string) =>
    gather(
      'resources/templates/list',
      'resourceTemplates',
      'resources',
      (_instance, item) => ({ key: String(item.uriTemplate), item }),
      session,
    );

  async function promptOwner(name: string, session?: string): Promise<Owner> {
    const owner = (await prompts(session)).owners.get(name);
    if (!owner) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    return owner;
  }

  async function resourceOwner(uri: string, session?: string): Promise<Owner> {
    const listed = (await resources(session)).owners.get(uri);
    if (listed) return listed;
    for (const [template, owner] of (await templates(session)).owners) {
      const fixed = template.split('{')[0]!;
      if (fixed.length > 0 && uri.startsWith(fixed)) return owner;
    }
    throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
  }

  /**
   * One page of a merged list: the items after the cursor's key (the last key of the page before,
   * base64url), and a cursor for the next page when there is one.
   */
  function pageOf<Field extends string>(field: Field, items: { key: string; item: Item }[], cursor?: string) {
    let start = 0;
    if (cursor !== undefined) {
      const after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (after.length === 0 || Buffer.from(after, 'utf8').toString('base64url') !== cursor)
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'invalid cursor');
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (items[mid]!.key <= after) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const page = items.slice(start, start + pageSize);
    const last = page[page.length - 1];
    return {
      [field]: page.map((entry) => entry.item),
      ...(start + pageSize < items.length && last
        ? { nextCursor: Buffer.from(last.key).toString('base64url') }
        : {}),
    } as Record<Field, Item[]> & { nextCursor?: string };
  }

  /** `session`: the caller's MCP session, for a server that keeps state per session (upstream-sessions.ts). */
  const ask = (owner: Owner, method: string, params: Record<string, unknown>, session?: string) =>
    upstream.request(
      owner.instance.endpoint,
      owner.instance.upstreamHeaders,
      method,
      params,
      owner.instance.sharedSession ? undefined : session,
    );

  return {
    listPrompts: async (cursor?: string, session?: string) =>
      pageOf('prompts', (await prompts(session)).items, cursor),
    listResources: async (cursor?: string, session?: string) =>
      pageOf('resources', (await resources(session)).items, cursor),
    listResourceTemplates: async (cursor?: string, session?: string) =>
      pageOf('resourceTemplates', (await templates(session)).items, cursor),

    async getPrompt(params: { name: string; arguments?: Record<string, string> }, session?: string) {
      const owner = await promptOwner(params.name, session);
      return ask(owner, 'prompts/get', { name: owner.upstreamName, arguments: params.arguments }, session);
    },

    async readResource(params: { uri: string }, session?: string) {
      return ask(await resourceOwner(params.uri, session), 'resources/read', { uri: params.uri }, session);
    },

    /** Subscribes a session to a resource's updates (the upstream once for all its subscribers). */
    /** `session`: the subscriber's MCP session (handshake era), for a server that keeps sessions. */
    async subscribe(
      uri: string,
      subscriber: ResourceSubscriber,
      session?: string,
    ): Promise<Record<string, never>> {
      const owner = await resourceOwner(uri, session);
      const offers = await upstream.capabilitiesOf(owner.instance.endpoint, owner.instance.upstreamHeaders);
      const resources = offers.resources as { subscribe?: boolean } | undefined;
      // A 2026-07-28 server is asked on a subscriptions/listen stream, and says there what it follows.
      const modern =
        (await upstream.eraOf(owner.instance.endpoint, owner.instance.upstreamHeaders)) === 'modern';
      if (!modern && !resources?.subscribe)
        throw new ProtocolError(
          ProtocolErrorCode.MethodNotFound,
          `the server of ${uri} does not offer subscriptions`,
        );
      const own =
        session !== undefined &&
        !owner.instance.sharedSession &&
        (await upstream.keepsSessions(owner.instance.endpoint, owner.instance.upstreamHeaders))
          ? session
          : undefined;
      const key = subscriptionKey(owner.instance.endpoint, uri, own);
      let entry = subscriptions.get(key);
      if (!entry) {
        entry = { owner, uri, session: own, subscribers: new Map() };
        subscriptions.set(key, entry);
        try {
          if (modern)
            entry.stop = await upstream.followResource(
              owner.instance.endpoint,
              owner.instance.upstreamHeaders,
              uri,
            );
          else await ask(owner, 'resources/subscribe', { uri }, own);
        } catch (error) {
          subscriptions.delete(key);
          throw error;
        }
      }
      entry.subscribers.set(subscriber.id, subscriber);
      return {};
    },

    async unsubscribe(uri: string, subscriberId: string): Promise<Record<string, never>> {
      for (const [key, entry] of subscriptions)
        if (entry.uri === uri && entry.subscribers.delete(subscriberId)) await unsubscribeUpstream(key);
      return {};
    },

    /** A session ended: its subscriptions go, and the upstream ones nobody else holds. */
    async dropSubscriber(subscriberId: string): Promise<void> {
      for (const [key, entry] of subscriptions)
        if (entry.subscribers.delete(subscriberId)) await unsubscribeUpstream(key);
    },

    /**
     * Routed by its `ref`: a prompt by name (under the server's own), a template by its URI. Nothing
     * to suggest (an empty answer) when no server offers the ref or its server does not complete.
     */
    async complete(
      params: { ref: { type: string; name?: string; uri?: string } } & Record<string, unknown>,
      session?: string,
    ) {
      const prompt = params.ref.type === 'ref/prompt';
      const owner = prompt
        ? (await prompts(session)).owners.get(String(params.ref.name))
        : (await templates(session)).owners.get(String(params.ref.uri));
      if (!owner) return NO_COMPLETION;
      const offers = await upstream.capabilitiesOf(owner.instance.endpoint, owner.instance.upstreamHeaders);
      if (!offers.completions) return NO_COMPLETION;
      const ref = prompt ? { ...params.ref, name: owner.upstreamName } : params.ref;
      return ask(owner, 'completion/complete', { ...params, ref }, session);
    },

    /**
     * Drops merged lists: a server said its prompts or resources changed, or services came or
     * went (every list). The next list asks the servers again.
     */
    invalidate(list?: 'prompts' | 'resources'): void {
      if (list === undefined || list === 'prompts') lists.delete('prompts/list');
      if (list === undefined || list === 'resources') {
        lists.delete('resources/list');
        lists.delete('resources/templates/list');
      }
    },
  };
}

export type FederatedSurface = ReturnType<typeof createFederatedSurface>;
