import { setMaxListeners } from 'node:events';
import type { LookupFunction } from 'node:net';
import {
  type CallToolResult,
  Client,
  type Progress,
  ProtocolError,
  ProtocolErrorCode,
  type StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { z } from 'zod';
import type { StdioService } from '../config/config-schema.js';
import type { Logger } from '../logger.js';
import { stdioEndpoint, stdioNameOf } from '../registry/registry-types.js';
import { type CallSignal, toAbortSignal } from '../shared/call-abort.js';
import { createGuardedFetch } from '../shared/guarded-fetch.js';
import { packageVersion } from '../shared/package-root.js';
import { untilAborted } from '../shared/until-aborted.js';
import type { CallerRelay } from './call-context.js';
import {
  describeUpstreamFailure,
  isConnectFailure,
  UpstreamError,
  UpstreamHttpError,
  UpstreamRpcError,
} from './upstream-errors.js';
import { createUpstreamRpc, type RpcTarget } from './upstream-rpc.js';
import { createUpstreamSessions } from './upstream-sessions.js';
import {
  sseTransport,
  stdioTransport,
  streamableHttpTransport,
  type TransportKind,
} from './upstream-transports.js';

/** Checks, right before connecting, that an endpoint may be reached (SSRF guard at connect time). */
type ConnectGuard = (url: string) => Promise<void>;

export interface UpstreamCall {
  endpoint: string;
  tool: string;
  arguments: Record<string, unknown>;
  signal: CallSignal;
  onProgress?: (progress: Progress) => void;
  /** The caller's session, for what the spoke sends back during the call. */
  relay?: CallerRelay;
  /**
   * The downstream MCP session whose own upstream session the call goes on, when the server keeps
   * sessions (upstream-sessions.ts); none: the hub-owned session.
   */
  session?: string;
  correlationId?: string;
  /** The upstream's own credential headers (its registration's `upstream_headers`). */
  headers?: Record<string, string>;
}

export interface UpstreamPoolOptions {
  logger: Logger;
  connectTimeoutMs: number;
  /** Largest answer accepted from a spoke, in bytes. */
  maxResultBytes: number;
  guardConnect?: ConnectGuard;
  /**
   * Resolves hosts for every new upstream connection (the SSRF guard's lookup): the address
   * checked is then the address connected to, on both legs (the SDK client's and tools/call).
   */
  lookup?: LookupFunction;
  /** Extra headers for every upstream request (a spoke's own credentials). Never the caller's token. */
  headers?: Record<string, string>;
  /** The stdio services this hub launches (config `services`), reached at `stdio:<name>`. */
  stdioServices?: StdioService[];
  /** Upstream sessions one stateful instance holds for downstream sessions (upstream-sessions.ts). */
  maxSessionsPerInstance?: number;
  /** A downstream session's upstream session unused this long is closed. */
  sessionIdleMs?: number;
}

interface Connection {
  client: Client;
  transport: Transport;
  /** Streamable HTTP (the raw fast path), or SSE / stdio (every request through the SDK client). */
  kind: TransportKind;
  /** The credential headers it was opened with; a call carrying others opens a new connection. */
  headers: Record<string, string>;
  credentials: string;
  /**
   * The protocol era the spoke speaks, learnt when the connection opened: `server/discover` first,
   * `initialize` when the spoke does not answer it. Legacy spokes get a session; 2026-07-28 spokes
   * get none, every call carrying the `_meta` envelope instead.
   */
  era: 'modern' | 'legacy';
  /** The 2026-07-28 envelope (protocol version, the hub's identity and capabilities). */
  envelope?: Record<string, unknown>;
  /** The downstream session it was opened for; none for the hub-owned (shared) connection. */
  session?: string;
}

/** What the hub declares to spokes: it relays sampling, elicitation and roots to its callers. */
const CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {} }, roots: {} };

/** A tool as a server lists it, unchecked (tool-discovery.ts checks each one). */
type ListedTool = {
  name?: unknown;
  title?: unknown;
  description?: unknown;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
};

/** Any result: an object (the SDK checks the JSON-RPC frame; the front checks the method's shape). */
const ANY_RESULT = z.looseObject({});

/** One page of tools/list, read without judging the tools: only the page's shape must hold. */
const LENIENT_TOOL_PAGE = z.object({
  tools: z.array(z.looseObject({})).max(10_000),
  nextCursor: z.string().optional(),
});

/**
 * One MCP client per spoke endpoint, opened on first use and reused by every call. The client
 * (the official SDK's v2) learns which era the spoke speaks and remembers it for the connection:
 * a handshake-era spoke gets one session (no `initialize` per call), a 2026-07-28 spoke none. A
 * spoke that forgot the session or changed era across a restart refuses the next call unseen (404,
 * 400 or -32022); the connection is then opened again — the era learnt anew — and the call sent
 * once more.
 */
/** A server's `notifications/message` parameters. */
export interface LogMessage {
  level: string;
  logger?: string;
  data: unknown;
}

export function createUpstreamPool(options: UpstreamPoolOptions) {
  const { logger } = options;
  const connections = new Map<string, Promise<Connection>>();
  // What each pending connection in `connections` resolved to, so that a call on an open
  // connection takes it without a promise chain (about 2.8 KB and two promises less per call).
  const opened = new WeakMap<Promise<Connection>, Connection>();
  // Aborts sessions still opening when the pool closes (a hanging initialize must not hold shutdown).
  const closing = new AbortController();
  // One listener per SDK request in flight (sessions' streams included): bounded by the spokes.
  setMaxListeners(0, closing.signal);
  const version = packageVersion();
  const toolListListeners = new Set<(endpoint: string) => void>();
  const resourceListeners = new Set<(endpoint: string, uri: string, session?: string) => void>();
  /**
   * Progress of calls made through the SDK client (SSE, stdio), by the token the hub gave each.
   * The SDK's own `onprogress` loses a call's last progress when it arrives with the answer (it
   * runs notification handlers a microtask later, after the answer has dropped the call's
   * handler); this table is read by the hub's handler and emptied only after the call returns.
   */
  const clientProgress = new Map<string, (progress: Progress) => void>();
  let progressTokens = 0;
  /**
   * Calls in flight through each SDK client (SSE, stdio), with their callers. These transports do
   * not say which call a server's request (sampling, elicitation, roots) belongs to: it goes to
   * the caller when exactly one call is in flight on that connection.
   */
  const clientCalls = new WeakMap<Client, Set<{ relay?: CallerRelay }>>();
  const surfaceListListeners = new Set<(endpoint: string, list: 'prompts' | 'resources') => void>();
  const logListeners = new Set<(endpoint: string, message: LogMessage, session?: string) => void>();
  const connectListeners = new Set<(endpoint: string, session?: string) => void>();
  const sessions = createUpstreamSessions<Connection>({
    maxPerEndpoint: options.maxSessionsPerInstance ?? 100,
    idleMs: options.sessionIdleMs ?? 10 * 60_000,
    close: (conn) => closeConnection(conn),
    logger,
  });
  const rpc = createUpstreamRpc({ maxResultBytes: options.maxResultBytes, lookup: options.lookup });
  // The SDK client's requests resolve hosts through the guard too (see guarded-fetch.ts).
  const upstreamFetch = options.lookup ? createGuardedFetch(options.lookup) : fetch;

  // Adds the spoke's own headers to every request the SDK makes, and gives every request
  // its own abort signal: the SDK passes its transport-lifetime signal to each fetch, and undici
  // keeps one listener on it per streamed (SSE) response, so a long-lived session would pile up
  // thousands of listeners. The per-request signal follows the transport's until the body ends.
  const raisedLimit = new WeakSet<AbortSignal>();
  const fetchPerRequestSignal = async (
    input: Parameters<typeof fetch>[0],
    init: RequestInit | undefined,
    credentials: Record<string, string>,
  ): Promise<Response> => {
    const headers = new Headers(init?.headers);
    for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
    for (const [k, v] of Object.entries(credentials)) headers.set(k, v);
    const outer = init?.signal ?? undefined;
    if (outer && !raisedLimit.has(outer)) {
      // One listener per call in flight on this session: bounded by the instance's concurrency, not a leak.
      setMaxListeners(10_000, outer);
      raisedLimit.add(outer);
    }
    const request = new AbortController();
    const relay = () => request.abort(outer?.reason);
    if (outer?.aborted) relay();
    outer?.addEventListener('abort', relay, { once: true });
    // Shutting the pool down ends every request still waiting, the era probe's included (the SDK
    // does not pass the connect's signal to it).
    const stop = () => request.abort(closing.signal.reason);
    if (closing.signal.aborted) stop();
    closing.signal.addEventListener('abort', stop, { once: true });
    const release = () => {
      outer?.removeEventListener('abort', relay);
      closing.signal.removeEventListener('abort', stop);
    };
    let response: Response;
    try {
      response = await upstreamFetch(input, { ...init, headers, signal: request.signal, redirect: 'manual' });
    } catch (error) {
      release();
      throw error;
    }
    if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
      release();
      return response;
    }
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        flush: release,
      }),
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  /** A server launched by this hub, by name; restarts wait longer after each exit (to 30 s). */
  const stdioServices = new Map((options.stdioServices ?? []).map((s) => [s.name, s]));
  const stdioRestarts = new Map<string, { exits: number; notBefore: number }>();

  /**
   * Opens a connection: streamable HTTP first; an HTTP endpoint that refuses it (404, 405: a
   * 2024-11-05 server with the HTTP+SSE transport) is tried over SSE; a `stdio:` endpoint
   * launches its service.
   */
  async function open(
    endpoint: string,
    headers: Record<string, string>,
    session?: string,
    /**
     * What the hub-owned connection learnt (for a session's own connection): the transport, and
     * a handshake-era server needs no `server/discover` probe — one round trip less per session.
     */
    known?: Pick<Connection, 'kind' | 'era'>,
  ): Promise<Connection> {
    const stdioName = stdioNameOf(endpoint);
    if (stdioName !== undefined) return openStdio(endpoint, stdioName);
    await options.guardConnect?.(endpoint);
    const fetchWith: typeof fetch = (input, init) => fetchPerRequestSignal(input, init, headers);
    if (known?.kind === 'sse')
      return connect(endpoint, 'sse', sseTransport(endpoint, fetchWith), headers, session);
    const knownLegacy = known?.era === 'legacy';
    try {
      return await connect(
        endpoint,
        'http',
        streamableHttpTransport(endpoint, fetchWith),
        headers,
        session,
        knownLegacy,
      );
    } catch (error) {
      // The server may speak the other era since the hub-owned connection learnt it: ask it.
      if (knownLegacy && !refusesStreamableHttp(error))
        return connect(endpoint, 'http', streamableHttpTransport(endpoint, fetchWith), headers, session);
      if (!refusesStreamableHttp(error)) throw error;
      try {
        return await connect(endpoint, 'sse', sseTransport(endpoint, fetchWith), headers, session);
      } catch {
        throw error;
      }
    }
  }

  async function openStdio(endpoint: string, name: string): Promise<Connection> {
    const service = stdioServices.get(name);
    if (!service) throw new UpstreamError('not_reached', `no stdio service "${name}" runs on this hub`);
    const restart = stdioRestarts.get(name);
    if (restart && Date.now() < restart.notBefore)
      throw new UpstreamError(
        'not_reached',
        `stdio service "${name}" exited; restarting in ${restart.notBefore - Date.now()} ms`,
      );
    const conn = await connect(endpoint, 'stdio', stdioTransport(service, logger), {}).catch((error) => {
      noteExit(name);
      throw error;
    });
    conn.client.onclose = () => {
      forgetClosed(endpoint, conn.client);
      if (!closing.signal.aborted) noteExit(name);
    };
    return conn;
  }

  function noteExit(name: string): void {
    const exits = (stdioRestarts.get(name)?.exits ?? 0) + 1;
    const delay = Math.min(30_000, 250 * 2 ** exits);
    stdioRestarts.set(name, { exits, notBefore: Date.now() + delay });
    logger.warn('stdio service stopped; it is started again on the next call or health check', {
      stdio_service: name,
      exits,
      not_before_ms: delay,
    });
  }

  function forgetClosed(endpoint: string, client: Client, session?: string): void {
    if (session !== undefined) {
      void sessions.discard(endpoint, session, (conn) => conn.client === client);
      return;
    }
    connections.get(endpoint)?.then(
      (stored) => stored.client === client && connections.delete(endpoint),
      () => {},
    );
  }

  async function connect(
    endpoint: string,
    kind: TransportKind,
    transport: Transport,
    headers: Record<string, string>,
    session?: string,
    /** The server is known to speak the handshake era: `initialize` without a probe first. */
    legacyKnown = false,
  ): Promise<Connection> {
    const credentials = credentialsKey(headers);
    const client = new Client(
      { name: 'fin-hub', version },
      {
        capabilities: CLIENT_CAPABILITIES,
        // HTTP+SSE predates 2026-07-28: no probe for it.
        versionNegotiation:
          kind === 'sse' || legacyKnown
            ? { mode: 'legacy' }
            : { mode: 'auto', probe: { timeoutMs: options.connectTimeoutMs } },
        // A spoke's input_required answers go to the caller of the call (upstream-rpc.ts), never
        // to this client (which has nobody to ask).
        inputRequired: { autoFulfill: false },
        // A server that says its tools changed is listed again (tool-list-follower.ts): the SDK
        // hears it on the session's stream (handshake era) or a subscriptions/listen stream it
        // opens (2026-07-28), for servers that advertise tools.listChanged.
        listChanged: {
          tools: {
            autoRefresh: false,
            debounceMs: 50,
            onChanged: () => {
              for (const listener of toolListListeners) listener(endpoint);
            },
          },
          // Prompts and resources are not stored: the hub's merged lists are dropped and its
          // clients told (federated-surface.ts).
          prompts: {
            autoRefresh: false,
            debounceMs: 50,
            onChanged: () => {
              for (const listener of surfaceListListeners) listener(endpoint, 'prompts');
            },
          },
          resources: {
            autoRefresh: false,
            debounceMs: 50,
            onChanged: () => {
              for (const listener of surfaceListListeners) listener(endpoint, 'resources');
            },
          },
        },
      },
    );
    // The capabilities are declared because spokes check them before asking. Over streamable
    // HTTP the requests of a call arrive on that call's own stream and are relayed by
    // upstream-rpc.ts; here arrive those sent on the session's standalone stream, and those of
    // SSE and stdio servers, whose transports carry no call: relayed to the caller when one call
    // is in flight on this connection, refused otherwise (nobody, or nobody certain, to ask).
    const relayToCaller = (what: string) => async (request: { method: string; params?: unknown }) => {
      const calls = clientCalls.get(client);
      if (!calls || calls.size === 0)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `${what} is only relayed during a tool call`,
        );
      if (calls.size > 1)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `${what} cannot be relayed: ${calls.size} calls are in flight on this connection and the transport does not say which one asks`,
        );
      const relay = [...calls][0]?.relay;
      if (!relay)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidRequest,
          `${what}: the caller cannot answer (a REST call)`,
        );
      return (await relay.sendRequest({
        method: request.method,
        params: request.params as Record<string, unknown> | undefined,
      })) as never;
    };
    client.setRequestHandler('sampling/createMessage', relayToCaller('sampling'));
    client.setRequestHandler('elicitation/create', relayToCaller('elicitation'));
    client.setRequestHandler('roots/list', relayToCaller('roots'));
    // A subscribed resource changed (federated-surface.ts relays it to the subscribing sessions).
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      for (const listener of resourceListeners) listener(endpoint, notification.params.uri, session);
    });
    client.setNotificationHandler('notifications/progress', (notification) => {
      const { progressToken, ...progress } = notification.params;
      clientProgress.get(String(progressToken))?.(progress as Progress);
    });
    // A server's log message (log-relay.ts passes it to the sessions that set a level).
    client.setNotificationHandler('notifications/message', (notification) => {
      for (const listener of logListeners) listener(endpoint, notification.params as LogMessage, session);
    });
    try {
      await client.connect(transport, { timeout: options.connectTimeoutMs, signal: closing.signal });
    } catch (error) {
      await client.close().catch(() => {});
      throw new UpstreamError(
        'not_reached',
        `cannot open an MCP session with ${endpoint}: ${describeUpstreamFailure(error)}`,
        {
          cause: error,
        },
      );
    }
    client.onclose = () => forgetClosed(endpoint, client, session);
    if (kind === 'stdio') stdioRestarts.delete(stdioNameOf(endpoint)!);
    for (const listener of connectListeners) listener(endpoint, session);
    if (client.getProtocolEra() !== 'modern')
      return { client, transport, kind, headers, credentials, era: 'legacy', session };
    return {
      client,
      transport,
      kind,
      headers,
      credentials,
      era: 'modern',
      session,
      envelope: {
        'io.modelcontextprotocol/protocolVersion': client.getNegotiatedProtocolVersion(),
        'io.modelcontextprotocol/clientInfo': { name: 'fin-hub', version },
        'io.modelcontextprotocol/clientCapabilities': CLIENT_CAPABILITIES,
      },
    };
  }

  /**
   * The pooled connection to an endpoint, opened on first use. One opened with other credentials
   * (the registration changed them) is closed and replaced.
   */
  function connection(endpoint: string, headers: Record<string, string> = {}): Promise<Connection> {
    const pending = connections.get(endpoint);
    if (pending) {
      const credentials = credentialsKey(headers);
      return pending.then(async (conn) => {
        if (conn.credentials === credentials) return conn;
        await discard(endpoint, conn);
        return opening(endpoint, headers);
      });
    }
    return opening(endpoint, headers);
  }

  function opening(endpoint: string, headers: Record<string, string>): Promise<Connection> {
    const pending = connections.get(endpoint);
    if (pending) return pending;
    const created = open(endpoint, headers);
    connections.set(endpoint, created);
    created.then(
      (conn) => opened.set(created, conn),
      () => {
        if (connections.get(endpoint) === created) connections.delete(endpoint);
      },
    );
    return created;
  }

  async function discard(endpoint: string, stale: Connection): Promise<void> {
    if (stale.session !== undefined) return sessions.discard(endpoint, stale.session, (c) => c === stale);
    if ((await connections.get(endpoint)?.catch(() => undefined)) === stale) connections.delete(endpoint);
    await stale.client.close().catch(() => {});
  }

  /**
   * Whether a server keeps state per session: a handshake-era server that gave the hub a session
   * id, or one over HTTP+SSE (a session by nature). 2026-07-28 servers have no sessions, and a
   * handshake-era server without a session id is stateless: they serve everyone on one connection.
   * A stdio server is one process with one session: shared by every caller (docs/federation.md).
   */
  function keepsSessionState(conn: Connection): boolean {
    if (conn.era !== 'legacy') return false;
    if (conn.kind === 'sse') return true;
    return conn.kind === 'http' && (conn.transport as StreamableHTTPClientTransport).sessionId !== undefined;
  }

  const NOTHING_TO_RELEASE = () => {};

  /**
   * The connection a request goes on: the downstream session's own upstream session when the
   * server keeps session state and the request comes from a session; the hub-owned connection
   * otherwise (REST calls, 2026-07-28 callers, stateless servers). `release` when done.
   */
  async function connectionFor(
    endpoint: string,
    headers: Record<string, string> | undefined,
    session: string | undefined,
    signal?: CallSignal,
  ): Promise<{ conn: Connection; release: () => void }> {
    const current = connections.get(endpoint);
    const ready = current && opened.get(current);
    if (
      ready &&
      !signal?.aborted &&
      ready.credentials === credentialsKey(headers ?? NO_HEADERS) &&
      (session === undefined || !keepsSessionState(ready))
    )
      return { conn: ready, release: NOTHING_TO_RELEASE };
    const pending = connection(endpoint, headers);
    const shared = await (signal ? untilAborted(pending, signal) : pending);
    if (session === undefined || !keepsSessionState(shared))
      return { conn: shared, release: NOTHING_TO_RELEASE };
    const lease = sessions.lease(endpoint, session, () => open(endpoint, headers ?? {}, session, shared));
    try {
      const conn = await (signal ? untilAborted(lease.conn, signal) : lease.conn);
      if (conn.credentials === shared.credentials) return { conn, release: lease.release };
      // The registration's credentials changed since this session's connection opened.
      lease.release();
      await discard(endpoint, conn);
      return connectionFor(endpoint, headers, session, signal);
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  /**
   * How a raw call reaches the spoke: inside the SDK client's session (handshake era), or with the
   * routing headers and the envelope of the 2026-07-28 revision.
   */
  function targetOf(call: UpstreamCall, conn: Connection): RpcTarget {
    const headers: Record<string, string> = { ...options.headers, ...conn.headers };
    if (call.correlationId) headers['x-correlation-id'] = call.correlationId;
    if (conn.era === 'modern') {
      headers['mcp-protocol-version'] = conn.envelope!['io.modelcontextprotocol/protocolVersion'] as string;
      headers['mcp-method'] = 'tools/call';
      headers['mcp-name'] = call.tool;
      return { endpoint: call.endpoint, headers, envelope: conn.envelope };
    }
    const http = conn.transport as StreamableHTTPClientTransport;
    if (http.sessionId) headers['mcp-session-id'] = http.sessionId;
    if (http.protocolVersion) headers['mcp-protocol-version'] = http.protocolVersion;
    return { endpoint: call.endpoint, headers };
  }

  // tools/call goes over the raw JSON-RPC leg (upstream-rpc.ts); the SDK client owns the session.
  async function callOnce(call: UpstreamCall, conn: Connection): Promise<CallToolResult> {
    if (conn.kind !== 'http') return callThroughClient(call, conn);
    const target = targetOf(call, conn);
    let requestId: string | undefined;
    // Like the SDK client: an aborted call (timeout, caller cancel) is cancelled at the spoke too —
    // in the handshake era by notifications/cancelled on the session; in the 2026-07-28 era there
    // is no session, and the aborted request itself (its connection closed) is the cancellation.
    const cancelUpstream = () => {
      if (!requestId || conn.era === 'modern') return;
      void rpc.notify(target, {
        method: 'notifications/cancelled',
        params: { requestId, reason: String(call.signal.reason ?? 'cancelled') },
      });
    };
    call.signal.addEventListener('abort', cancelUpstream, { once: true });
    try {
      return await rpc.callTool(target, {
        tool: call.tool,
        arguments: call.arguments,
        signal: call.signal,
        onProgress: call.onProgress,
        relay: call.relay,
        onRequestId: (id) => {
          requestId = id;
        },
      });
    } finally {
      call.signal.removeEventListener('abort', cancelUpstream);
    }
  }

  /**
   * tools/call over SSE or stdio: through the SDK client, which sends the cancellation when the
   * call is aborted. Progress comes by the hub's own token; the server's own requests during the
   * call (sampling, elicitation, roots) go to the caller while it is the only call in flight on
   * the connection (see relayToCaller).
   */
  async function callThroughClient(call: UpstreamCall, conn: Connection): Promise<CallToolResult> {
    const token = call.onProgress ? `fin-hub-progress-${++progressTokens}` : undefined;
    if (token) clientProgress.set(token, call.onProgress!);
    const inFlight = { relay: call.relay };
    const calls = clientCalls.get(conn.client) ?? new Set();
    clientCalls.set(conn.client, calls);
    calls.add(inFlight);
    try {
      const result = await conn.client.callTool(
        { name: call.tool, arguments: call.arguments, ...(token ? { _meta: { progressToken: token } } : {}) },
        {
          signal: toAbortSignal(call.signal),
          // The call's own deadline governs (the engine aborts it), not the SDK's 60 s default.
          timeout: 2 ** 31 - 1,
        },
      );
      return result as CallToolResult;
    } finally {
      // After the answer: the handler of a progress that came with it has already run.
      if (token) clientProgress.delete(token);
      calls.delete(inFlight);
    }
  }

  async function forget(endpoint: string): Promise<void> {
    const pending = connections.get(endpoint);
    connections.delete(endpoint);
    const conn = await pending?.catch(() => undefined);
    await Promise.all([conn && closeConnection(conn), sessions.forget(endpoint)]);
  }

  async function listAll(conn: Connection) {
    const tools: ListedTool[] = [];
    // A server of prompts or resources only has no tools to list (and may not answer tools/list).
    if (!conn.client.getServerCapabilities()?.tools) return tools;
    let cursor: string | undefined;
    do {
      // Read leniently: one malformed tool must not hide the others (tool-discovery.ts checks each).
      const page = await conn.client.request(
        { method: 'tools/list', params: cursor ? { cursor } : {} },
        LENIENT_TOOL_PAGE,
        { timeout: options.connectTimeoutMs },
      );
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    return tools;
  }

  return {
    /** Calls a tool on an endpoint over its shared session. Throws UpstreamError or the SDK's error. */
    async callTool(call: UpstreamCall): Promise<CallToolResult> {
      // Opening the session (connect, initialize) counts against the call's own deadline: a spoke
      // that hangs at initialize must not hold a 2 s tool for the 5 s connect timeout.
      const { session } = call;
      const { conn, release } = await connectionFor(call.endpoint, call.headers, session, call.signal);
      try {
        return await callOnce(call, conn);
      } catch (error) {
        if (refusedUnseen(error)) {
          // The spoke restarted and lost our session, or came back speaking the other era: the
          // request was refused unseen, so one retry on a new connection is safe.
          logger.info('upstream session expired or era changed; reconnecting', {
            endpoint: call.endpoint,
            era: conn.era,
          });
          await discard(call.endpoint, conn);
          const again = await connectionFor(call.endpoint, call.headers, session, call.signal);
          try {
            return await callOnce(call, again.conn);
          } finally {
            again.release();
          }
        }
        if (isConnectFailure(error)) await discard(call.endpoint, conn);
        throw error;
      } finally {
        release();
      }
    },

    /**
     * Lists a spoke's tools (all pages), for registrations that name an mcp_url and no tools. A
     * connection that fails (the spoke restarted, perhaps speaking the other era) is opened anew
     * once: listing is read-only, so trying again is always safe.
     */
    async listTools(endpoint: string, headers?: Record<string, string>) {
      const conn = await connection(endpoint, headers);
      try {
        return await listAll(conn);
      } catch (error) {
        logger.info('listing tools failed; reconnecting once', {
          endpoint,
          error: describeUpstreamFailure(error),
        });
        await discard(endpoint, conn);
        return listAll(await connection(endpoint, headers));
      }
    },

    /**
     * The health check of a server with no health URL: its cheapest request on the pooled
     * connection — `ping` in the handshake era, `server/discover` in 2026-07-28 (which has no
     * ping). A connection that fails is opened anew once, so a server that restarted (a lost
     * session, or the other era now) is healthy when it answers on a new connection.
     */
    async ping(endpoint: string, signal: AbortSignal, headers?: Record<string, string>): Promise<void> {
      const once = async (conn: Connection) => {
        const request = { signal, timeout: options.connectTimeoutMs };
        if (conn.era === 'modern') await conn.client.discover(request);
        else await conn.client.ping(request);
      };
      const conn = await untilAborted(connection(endpoint, headers), signal);
      try {
        await once(conn);
      } catch (error) {
        if (signal.aborted) throw error;
        await discard(endpoint, conn);
        await once(await untilAborted(connection(endpoint, headers), signal));
      }
    },

    /**
     * Any other request to a server (prompts, resources, completion, logging), on the pooled
     * connection or the downstream `session`'s own (see connectionFor); the answer unchecked
     * beyond being an object (the caller's SDK checks it on the way out). A failed connection is
     * reopened once: these requests are all reads or idempotent settings.
     */
    async request(
      endpoint: string,
      headers: Record<string, string> | undefined,
      method: string,
      params: Record<string, unknown>,
      session?: string,
    ): Promise<Record<string, unknown>> {
      const send = (conn: Connection) =>
        conn.client.request({ method, params } as never, ANY_RESULT, { timeout: options.connectTimeoutMs });
      const first = await connectionFor(endpoint, headers, session);
      try {
        return await send(first.conn);
      } catch (error) {
        // The server's own answer (method not found, invalid params…) stands; a broken connection
        // (the server restarted, a lost session) gets one more try on a new one.
        if (error instanceof ProtocolError) throw error;
        await discard(endpoint, first.conn);
        const again = await connectionFor(endpoint, headers, session);
        try {
          return await send(again.conn);
        } finally {
          again.release();
        }
      } finally {
        first.release();
      }
    },

    /**
     * Follows a resource of a 2026-07-28 server, which has no resources/subscribe: a
     * `subscriptions/listen` stream naming it, on the hub-owned connection; its updates reach
     * `onResourceUpdated` like a handshake-era server's. A stream that drops (the server
     * restarted) is opened again after a second, until `stop`. Throws when the server does not
     * agree to follow the resource.
     */
    async followResource(
      endpoint: string,
      headers: Record<string, string> | undefined,
      uri: string,
    ): Promise<() => Promise<void>> {
      let stopped = false;
      let current: { close(): Promise<void> } | undefined;
      const listen = async (): Promise<void> => {
        const conn = await connection(endpoint, headers);
        const subscription = await conn.client.listen(
          { resourceSubscriptions: [uri] },
          { timeout: options.connectTimeoutMs },
        );
        if (!subscription.honoredFilter.resourceSubscriptions?.includes(uri)) {
          await subscription.close();
          throw new ProtocolError(
            ProtocolErrorCode.MethodNotFound,
            `the server of ${uri} does not send updates of it`,
          );
        }
        current = subscription;
        void subscription.closed.then((how) => {
          if (stopped || how !== 'remote' || closing.signal.aborted) return;
          setTimeout(
            () =>
              void listen().catch((error) =>
                logger.warn('resource updates lost: the listen stream could not be opened again', {
                  endpoint,
                  uri,
                  error: describeUpstreamFailure(error),
                }),
              ),
            1000,
          ).unref();
        });
      };
      await listen();
      return async () => {
        stopped = true;
        await current?.close();
      };
    },

    /** Whether a server keeps state per session (a downstream session would get its own upstream one). */
    async keepsSessions(endpoint: string, headers?: Record<string, string>): Promise<boolean> {
      return keepsSessionState(await connection(endpoint, headers));
    },

    /** The protocol era the pooled connection to a server speaks. */
    async eraOf(endpoint: string, headers?: Record<string, string>): Promise<'modern' | 'legacy'> {
      return (await connection(endpoint, headers)).era;
    },

    /** What a server said it offers when the connection opened (prompts, resources…). */
    async capabilitiesOf(endpoint: string, headers?: Record<string, string>) {
      return (await connection(endpoint, headers)).client.getServerCapabilities() ?? {};
    },

    /**
     * Tells `listener` of every resource update a server sends (for resources the hub subscribed
     * to), with the downstream session whose own upstream session it came on (none: the hub-owned).
     */
    onResourceUpdated(listener: (endpoint: string, uri: string, session?: string) => void): void {
      resourceListeners.add(listener);
    },

    /**
     * A stdio service registered over REST (`--allow-stdio-registration`): launched on first use
     * like the config file's; a new command under a known name replaces the running one.
     */
    addStdioService(service: StdioService): void {
      const known = stdioServices.get(service.name);
      stdioServices.set(service.name, service);
      stdioRestarts.delete(service.name);
      if (known && JSON.stringify(known) !== JSON.stringify(service))
        void forget(stdioEndpoint(service.name));
    },

    /** Tells `listener` of every server that says its prompt or resource list changed. */
    onSurfaceListChanged(listener: (endpoint: string, list: 'prompts' | 'resources') => void): void {
      surfaceListListeners.add(listener);
    },

    /**
     * Tells `listener` of every log message a server sends on a session: `session` names the
     * downstream session whose own upstream session it came on (none: the hub-owned one).
     */
    onLogMessage(listener: (endpoint: string, message: LogMessage, session?: string) => void): void {
      logListeners.add(listener);
    },

    /**
     * Tells `listener` of every new session with a server (a first connection or a reconnection),
     * with the downstream session it was opened for (none: the hub-owned one).
     */
    onConnected(listener: (endpoint: string, session?: string) => void): void {
      connectListeners.add(listener);
    },

    /** The servers a downstream session holds its own upstream session with. */
    sessionEndpoints(session: string): string[] {
      return sessions.endpointsOf(session);
    },

    /** A downstream MCP session ended: the upstream sessions opened for it end too. */
    endSession(session: string): Promise<void> {
      return sessions.end(session);
    },

    /** Upstream sessions open to an endpoint for downstream sessions (the hub-owned one not counted). */
    sessionCountAt(endpoint: string): number {
      return sessions.countAt(endpoint);
    },

    /** Tells `listener` the endpoint of every server that says its tool list changed. */
    onToolListChanged(listener: (endpoint: string) => void): void {
      toolListListeners.add(listener);
    },

    /** Ends one endpoint's sessions, the hub-owned one and every MCP session's (deregistered instance). */
    forget,

    get size(): number {
      return connections.size;
    },

    /** Terminates every upstream session (DELETE) and closes the clients. */
    async close(): Promise<void> {
      closing.abort(new Error('the hub is shutting down'));
      const all = [...connections.values()];
      connections.clear();
      await Promise.all([
        sessions.close(),
        ...all.map(async (pending) => {
          const conn = await pending.catch(() => undefined);
          if (conn) await closeConnection(conn);
        }),
      ]);
      await rpc.close().catch(() => {});
    },
  };
}

/**
 * Whether the spoke refused a call before looking at it because the connection no longer fits it:
 * an unknown session (404); a request of the other era (400: a handshake-era spoke seeing a
 * session-less request, a 2026-07-28 spoke seeing a session); a revision it no longer speaks
 * (-32022, unsupported protocol version).
 */
function refusedUnseen(error: unknown): boolean {
  if (error instanceof UpstreamHttpError) return error.status === 404 || error.status === 400;
  return error instanceof UpstreamRpcError && error.code === -32022;
}

/** A comparable form of a set of credential headers ('' for none). */
function credentialsKey(headers: Record<string, string>): string {
  let key = credentialsKeys.get(headers);
  if (key === undefined) {
    const entries = Object.entries(headers);
    key = entries.length === 0 ? '' : JSON.stringify(entries.map(([k, v]) => [k.toLowerCase(), v]).sort());
    credentialsKeys.set(headers, key);
  }
  return key;
}
// An instance's headers object lives as long as its registration: its key is worked out once.
// (Keyed by identity: nothing in the hub changes a headers object after it was handed over.)
const credentialsKeys = new WeakMap<Record<string, string>, string>();
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Whether an HTTP endpoint refused streamable HTTP itself (404 or 405 to the POST): a 2024-11-05
 * server serving HTTP+SSE (its endpoint takes GET only), worth trying over SSE.
 */
function refusesStreamableHttp(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const status = (current as { data?: { status?: unknown } }).data?.status;
    if (status === 404 || status === 405) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

// terminateSession() before close(): close() alone leaves the session alive on the spoke.
async function closeConnection(conn: Connection): Promise<void> {
  if (conn.era === 'legacy' && conn.kind === 'http')
    await Promise.race([
      (conn.transport as StreamableHTTPClientTransport).terminateSession().catch(() => {}),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
  await conn.client.close().catch(() => {});
}

export type UpstreamPool = ReturnType<typeof createUpstreamPool>;
