import { StringDecoder } from 'node:string_decoder';
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type Notification,
  type Progress,
} from '@modelcontextprotocol/server';
import { createParser } from 'eventsource-parser';
import type { Agent, Dispatcher } from 'undici';
import type { CallSignal } from '../shared/call-abort.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-limits.js';
import {
  ACCEPT_JSON_AND_SSE,
  type JsonRpcMessage as AnyJsonRpcMessage,
  errorCodeOf,
  JsonRpcCode,
  jsonRpcError,
  jsonRpcNotification,
  jsonRpcRequest,
  jsonRpcResult,
  MEDIA_JSON,
  MEDIA_SSE,
} from '../shared/json-rpc.js';
import { untilAborted } from '../shared/until-aborted.js';
import type { CallerRelay } from './call-context.js';
import { UpstreamError, UpstreamHttpError, UpstreamRpcError } from './upstream-errors.js';

/**
 * Where one raw call goes and how: the endpoint, the headers (a handshake-era spoke's session and
 * protocol version; a 2026-07-28 spoke's routing headers) and, for a 2026-07-28 spoke, the `_meta`
 * envelope every request carries.
 */
export interface RpcTarget {
  endpoint: string;
  headers: Record<string, string>;
  envelope?: Record<string, unknown>;
}

/** What a first tools/call adds to its params: nothing (no input responses yet). */
const FIRST_ROUND: Record<string, unknown> = Object.freeze({});

/** Rounds of `input_required` a 2026-07-28 spoke may ask for in one call (the SDK's default). */
const MAX_INPUT_ROUNDS = 8;

export interface RawToolCall {
  tool: string;
  arguments: Record<string, unknown>;
  signal: CallSignal;
  onProgress?: (progress: Progress) => void;
  /** Where the spoke's logs, sampling and elicitation requests go (the caller's MCP session). */
  relay?: CallerRelay;
  /** Told the JSON-RPC id before the request leaves (to cancel it upstream by id). */
  onRequestId?: (requestId: string) => void;
}

/** A spoke's message once parseMessage has checked it is an object (its fields as spokes send them). */
interface JsonRpcMessage extends AnyJsonRpcMessage {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
}

/**
 * The hot path of the upstream leg: `tools/call` as one JSON-RPC POST over a keep-alive undici
 * pool, inside the session the SDK client opened (same Mcp-Session-Id and protocol version).
 * Skips what the SDK client does per call and the hub does not need: zod parsing of every
 * message, the Web Request/Response and stream adapters, per-request abort bookkeeping.
 * Answers may be JSON or an SSE stream; on a stream, progress, log messages and the spoke's own
 * requests (sampling, elicitation, ping) are relayed exactly as the SDK path relays them.
 */
export function createUpstreamRpc(options: {
  maxResultBytes: number;
  /** Resolves hosts for new connections (the SSRF guard's, so what is checked is what is connected to). */
  lookup?: import('node:net').LookupFunction;
}) {
  // One agent for every spoke: keep-alive connections per origin, reused across calls.
  // Loaded on the first call, not at start-up (about 90 ms of module loading `fin-hub --stdio` skips).
  let agent: Agent | undefined;
  const agentReady = async () => {
    if (!agent) {
      const { Agent } = await import('undici');
      agent ??= new Agent({
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 120_000,
        connections: 256,
        ...(options.lookup ? { connect: { lookup: options.lookup } } : {}),
      });
    }
    return agent;
  };
  let counter = 0;

  // Parsing a URL allocates; endpoints are few and long-lived.
  const addresses = new Map<string, { origin: string; path: string }>();
  const addressOf = (endpoint: string) => {
    let address = addresses.get(endpoint);
    if (!address) {
      const url = new URL(endpoint);
      address = { origin: url.origin, path: `${url.pathname}${url.search}` };
      if (addresses.size > 10_000) addresses.clear();
      addresses.set(endpoint, address);
    }
    return address;
  };

  async function post(
    target: RpcTarget,
    body: string,
    signal?: CallSignal,
  ): Promise<Dispatcher.ResponseData> {
    const { origin, path } = addressOf(target.endpoint);
    return (agent ?? (await agentReady())).request({
      origin,
      path,
      method: 'POST',
      headers: {
        ...target.headers,
        'content-type': MEDIA_JSON,
        accept: ACCEPT_JSON_AND_SSE,
      },
      body,
      // undici takes any object with addEventListener as a signal (CallAbortController's too).
      signal: signal as AbortSignal | undefined,
      maxRedirections: 0,
    } as Dispatcher.RequestOptions);
  }

  /** Answers one of the spoke's own requests received during a call, with a POST of the response. */
  async function answerSpoke(target: RpcTarget, message: JsonRpcMessage, relay?: CallerRelay): Promise<void> {
    const id = message.id as string | number;
    let reply: unknown;
    try {
      reply = jsonRpcResult(id, await relayRequest(message, relay));
    } catch (error) {
      // The caller's refusal keeps its JSON-RPC code, whichever SDK line raised it (the front's
      // errors come from v2, this leg's from v1).
      reply = jsonRpcError(id, errorCodeOf(error), (error as Error).message);
    }
    const response = await post(target, JSON.stringify(reply));
    await response.body.dump();
  }

  /** One tools/call POST; `retry` carries the input responses of an `input_required` round. */
  async function callOnce(
    target: RpcTarget,
    call: RawToolCall,
    retry: Record<string, unknown>,
  ): Promise<CallToolResult> {
    const id = `fh-${++counter}`;
    const params: Record<string, unknown> = { name: call.tool, arguments: call.arguments, ...retry };
    if (target.envelope || call.onProgress) {
      const meta: Record<string, unknown> = { ...target.envelope };
      // A 2026-07-28 spoke learns what this call's caller can answer (not what the hub could relay).
      if (target.envelope) meta[CLIENT_CAPABILITIES_META_KEY] = call.relay?.capabilities ?? {};
      if (call.onProgress) meta.progressToken = id;
      params._meta = meta;
    }
    call.onRequestId?.(id);
    const response = await post(
      target,
      JSON.stringify(jsonRpcRequest(id, 'tools/call', params)),
      call.signal,
    );
    const type = String(response.headers['content-type'] ?? '');
    if (response.statusCode < 200 || response.statusCode >= 300) {
      // A 2026-07-28 spoke refusing the call because the caller cannot answer what it would ask.
      if (response.statusCode === 400 && type.includes(MEDIA_JSON)) {
        const needed = await missingCapabilities(response.body);
        if (needed)
          throw new UpstreamError(
            'caller',
            `the tool needs what the caller did not declare it can answer: ${needed} (Missing required client capability)`,
          );
      }
      // The body is not passed on: behind an endpoint may sit any internal service, and its
      // error page is not the caller's to read (the status says enough; the spoke's log the rest).
      await response.body.dump().catch(() => {});
      throw new UpstreamHttpError(response.statusCode);
    }
    if (type.includes(MEDIA_SSE)) {
      return readEventStream(
        response,
        id,
        call,
        (message) => answerSpoke(target, message, call.relay),
        options,
      );
    }
    if (!type.includes(MEDIA_JSON)) {
      await response.body.dump();
      throw new UpstreamError(
        'may_have_run',
        `the spoke answered with an unexpected content type: ${type || '(none)'}`,
      );
    }
    return resultOf(parseMessage(await readLimited(response, options.maxResultBytes)), id);
  }

  return {
    /**
     * Sends tools/call and resolves with the spoke's result. A 2026-07-28 spoke may answer
     * `input_required`: its input requests go to the caller (relay), and the call is sent again
     * with the answers and the spoke's `requestState`, up to MAX_INPUT_ROUNDS times.
     */
    async callTool(target: RpcTarget, call: RawToolCall): Promise<CallToolResult> {
      let retry: Record<string, unknown> =
        target.envelope && call.relay?.answered ? { inputResponses: call.relay.answered } : FIRST_ROUND;
      for (let round = 0; ; round++) {
        const result = await callOnce(target, call, retry);
        if (result.resultType !== 'input_required') return withoutEnvelope(result);
        if (round + 1 >= MAX_INPUT_ROUNDS)
          throw new UpstreamError(
            'may_have_run',
            `the spoke asked for input ${MAX_INPUT_ROUNDS} times in one call; the hub gave up`,
          );
        // The caller's answers may never come (it went away): the call's own deadline and
        // cancellation end the wait, as they end the request to the spoke.
        retry = await untilAborted(answerInputRequests(result, call.relay), call.signal);
      }
    },

    /** Sends a notification (notifications/cancelled) on the session; failures are ignored. */
    async notify(target: RpcTarget, notification: Notification): Promise<void> {
      try {
        const response = await post(
          target,
          JSON.stringify(jsonRpcNotification(notification.method, notification.params)),
        );
        await response.body.dump();
      } catch {
        // The spoke may be gone; a lost cancellation only costs it wasted work.
      }
    },

    async close(): Promise<void> {
      await agent?.close();
    },
  };
}

/** The whole body as text, refused past maxBytes (events, not an async iterator: fewer allocations). */
function readLimited(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        reject(new UpstreamError('may_have_run', `the spoke's answer is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.body.on('error', reject);
    response.body.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
  });
}

function parseMessage(text: string): JsonRpcMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new UpstreamError('may_have_run', 'the spoke answered with invalid JSON');
  }
  if (!message || typeof message !== 'object' || Array.isArray(message))
    throw new UpstreamError(
      'may_have_run',
      'the spoke answered with something that is not a JSON-RPC message',
    );
  // Before anything recursive (serialising it for the caller, storing it in the history) sees it.
  if (nestsDeeperThan(message, MAX_JSON_DEPTH))
    throw new UpstreamError(
      'may_have_run',
      `the spoke answered with JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  return message as JsonRpcMessage;
}

/** The result of the response to `id`, checked enough that the hub never passes on garbage. */
function resultOf(message: JsonRpcMessage, id: string): CallToolResult {
  if (message.id !== id)
    throw new UpstreamError('may_have_run', 'the spoke answered with a response to another request');
  if (message.error) {
    const { code, message: text, data } = message.error;
    throw new UpstreamRpcError(
      typeof code === 'number' ? code : JsonRpcCode.internalError,
      typeof text === 'string' ? text : 'error',
      data,
    );
  }
  const result = message.result as CallToolResult | undefined;
  if (
    !result ||
    typeof result !== 'object' ||
    (result.content !== undefined && !Array.isArray(result.content))
  )
    throw new UpstreamError(
      'may_have_run',
      'the spoke answered tools/call with a result that is not a CallToolResult',
    );
  return result.content === undefined ? { ...result, content: [] } : result;
}

/**
 * The capabilities a spoke's MissingRequiredClientCapabilityError (-32021) names, as a short list
 * of their names; undefined for any other body. Only the names are kept (letters only, five at
 * most): nothing else of an error body reaches the caller.
 */
async function missingCapabilities(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  let parsed: { error?: { code?: unknown; data?: { requiredCapabilities?: unknown } } };
  try {
    const text = await body.text();
    if (text.length > 65_536) return undefined;
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed?.error?.code !== JsonRpcCode.missingCapability) return undefined;
  const required = parsed.error.data?.requiredCapabilities;
  const names =
    required && typeof required === 'object'
      ? Object.keys(required).filter((k) => /^[A-Za-z]{1,32}$/.test(k))
      : [];
  return names.length > 0 ? names.slice(0, 5).join(', ') : 'a capability';
}

/** Reads an SSE answer: relays what comes before the response, resolves with the response. */
function readEventStream(
  response: Dispatcher.ResponseData,
  id: string,
  call: RawToolCall,
  answer: (request: JsonRpcMessage) => Promise<void>,
  limits: { maxResultBytes: number },
): Promise<CallToolResult> {
  return new Promise<CallToolResult>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => CallToolResult) => {
      if (settled) return;
      settled = true;
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
      // The spoke ends the stream after its answer: reading it to the end keeps the keep-alive
      // connection for the next call (destroying it would cost a new connection per call). A
      // stream left open past the answer is cut after a grace period.
      const cut = setTimeout(() => response.body.destroy(), 5000);
      response.body.once('close', () => clearTimeout(cut));
      response.body.resume();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
      response.body.destroy();
    };
    const parser = createParser({
      maxBufferSize: limits.maxResultBytes,
      onEvent(event) {
        if (settled || (event.event && event.event !== 'message') || !event.data) return;
        let message: JsonRpcMessage;
        try {
          message = parseMessage(event.data);
        } catch (error) {
          return fail(error);
        }
        if (message.method === undefined) {
          if (message.id === id) settle(() => resultOf(message, id));
          return;
        }
        if (message.id !== undefined && message.id !== null) {
          void answer(message).catch(() => {});
          return;
        }
        if (message.method === 'notifications/progress') {
          if (message.params?.progressToken === id && call.onProgress) {
            const { progressToken: _token, ...progress } = message.params;
            call.onProgress(progress as Progress);
          }
          return;
        }
        void call.relay?.sendNotification(message as Notification).catch(() => {});
      },
      onError(error) {
        if (error.type === 'max-buffer-size-exceeded')
          fail(
            new UpstreamError(
              'may_have_run',
              `the spoke's answer is larger than ${limits.maxResultBytes} bytes`,
            ),
          );
      },
    });
    // A decoder keeps multi-byte characters split across chunks whole.
    const decoder = new StringDecoder('utf8');
    response.body.on('data', (chunk: Buffer) => {
      if (!settled) parser.feed(decoder.write(chunk));
    });
    response.body.on('error', fail);
    response.body.on('end', () => {
      // Checked first: an Error costs a stack trace, and every answered stream ends here too.
      if (!settled)
        fail(
          new UpstreamError('may_have_run', 'the spoke closed its event stream without answering the call'),
        );
    });
  });
}

/** The spoke's requests a hub answers during a call: sampling, elicitation and roots go to the caller. */
async function relayRequest(message: JsonRpcMessage, relay?: CallerRelay, key?: string): Promise<unknown> {
  switch (message.method) {
    case 'ping':
      return {};
    case 'sampling/createMessage':
    case 'elicitation/create':
    case 'roots/list':
      if (!relay)
        throw new UpstreamRpcError(
          JsonRpcCode.methodNotFound,
          `${message.method} is only available to MCP callers`,
        );
      return relay.sendRequest({ method: message.method, params: message.params }, key ? { key } : undefined);
    default:
      throw new UpstreamRpcError(JsonRpcCode.methodNotFound, `Method not found: ${message.method}`);
  }
}

/**
 * Answers the input requests of a 2026-07-28 spoke's `input_required` result through the caller
 * (a handshake-era caller gets them as requests on its session, as if the spoke had sent them), and
 * returns what the retry carries. A request the caller cannot answer fails the call with its reason.
 */
async function answerInputRequests(
  result: CallToolResult,
  relay?: CallerRelay,
): Promise<Record<string, unknown>> {
  const requests = (result as { inputRequests?: unknown }).inputRequests;
  const inputResponses: Record<string, unknown> = {};
  if (
    requests !== undefined &&
    (typeof requests !== 'object' || requests === null || Array.isArray(requests))
  )
    throw new UpstreamError('may_have_run', 'the spoke answered input_required with malformed inputRequests');
  // All at once: a 2026-07-28 caller then gets them in one round, under the spoke's keys.
  const entries = Object.entries((requests ?? {}) as Record<string, JsonRpcMessage>);
  for (const [key, request] of entries)
    if (typeof request?.method !== 'string')
      throw new UpstreamError('may_have_run', `the spoke's input request ${key} names no method`);
  const answers = await Promise.all(entries.map(([key, request]) => relayRequest(request, relay, key)));
  entries.forEach(([key], index) => {
    inputResponses[key] = answers[index];
  });
  const requestState = (result as { requestState?: unknown }).requestState;
  return { inputResponses, ...(typeof requestState === 'string' ? { requestState } : {}) };
}

/**
 * A result as the hub's caller gets it: the 2026-07-28 fields the spoke's revision added
 * (`resultType`, and the spoke's identity in `_meta`) are the spoke's, not the caller's; the front
 * adds its own for a 2026-07-28 caller.
 */
function withoutEnvelope(result: CallToolResult): CallToolResult {
  const { resultType: _type, ...rest } = result as CallToolResult & { resultType?: unknown };
  const meta = rest._meta;
  if (meta && Object.keys(meta).some((key) => key.startsWith('io.modelcontextprotocol/'))) {
    rest._meta = Object.fromEntries(
      Object.entries(meta).filter(([key]) => !key.startsWith('io.modelcontextprotocol/')),
    );
    if (Object.keys(rest._meta).length === 0) delete rest._meta;
  }
  return rest;
}
