import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type CallToolResult, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

/** A request the call needs its caller to answer (sampling, elicitation, roots). */
export interface InputRequest {
  method: string;
  params?: Record<string, unknown>;
}

/** What one round of a 2026-07-28 tools/call answers. */
export type RoundOutcome =
  | { kind: 'complete'; result: CallToolResult }
  | {
      kind: 'input_required';
      inputRequests: Record<string, InputRequest>;
      requestState: string;
    };

interface Ask {
  request: InputRequest;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  /** Sent to the caller in an input_required round, awaiting its answer. */
  sent: boolean;
}

/** A call of a 2026-07-28 caller; between rounds its upstream request stays open, its spoke waiting for answers. */
interface ParkedCall {
  id: string;
  tool: string;
  round: number;
  controller: AbortController;
  asks: Map<string, Ask>;
  nextKey: number;
  /** Settles when the call ends (result or error). */
  outcome: Promise<{ result?: CallToolResult; error?: unknown }>;
  /** Wakes the round waiting for the call's next question. */
  wake?: () => void;
  expiry?: NodeJS.Timeout;
  /** Why the round in progress must answer an error instead (the caller cannot answer a question). */
  failure?: Error;
  /** Where the call's progress and log messages go: the response of the round in progress. */
  sink: (message: unknown) => void;
}

/** The SDK's frozen wording for a refused requestState (ServerOptions.requestState). */
const INVALID_STATE = 'Invalid or expired requestState';

/**
 * Bridges the eras for a 2026-07-28 caller whose call makes the hub ask it something: a
 * handshake-era spoke sending sampling, elicitation or roots requests during the call (or a
 * 2026-07-28 spoke answering input_required, relayed by upstream-rpc.ts). The revision has no
 * server-to-client requests, so the hub answers the caller's POST with an `input_required` result
 * naming the questions, keeps the call running with the spoke still waiting ("parked", in memory
 * of this hub), and on the caller's retry — `inputResponses` and the `requestState` it was given —
 * hands the answers to the spoke and waits for the result or the next question.
 *
 * `requestState` is integrity-protected: `<payload>.<HMAC-SHA256>` with a key born with the
 * process. A state that fails the check, names an ended call or a past round is refused with
 * -32602 "Invalid or expired requestState" (the SDK's wording). A state minted by another hub
 * (its hub id in the payload) is refused the same way, with `data.reason` saying so: the spoke's
 * open request lives in the hub that parked it, so a retry must reach that hub (behind a
 * round-robin proxy it may not; the caller then starts the call again). A caller that never
 * retries leaves the call parked until `parkTimeoutMs` passes or the tool's timeout ends it.
 */
export function createInputRequiredBridge(options: { parkTimeoutMs: number; hubId?: string }) {
  const hubId = options.hubId ?? randomUUID().slice(0, 8);
  const key = randomBytes(32);
  // Every call of a 2026-07-28 caller in flight on this hub, by id (parked between rounds or not).
  const parked = new Map<string, ParkedCall>();

  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  function mint(call: ParkedCall): string {
    const payload = Buffer.from(JSON.stringify({ h: hubId, c: call.id, r: call.round })).toString(
      'base64url',
    );
    return `${payload}.${sign(payload)}`;
  }

  function refuse(reason: string, detail?: string): ProtocolError {
    return new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      detail ? `${INVALID_STATE}: ${detail}` : INVALID_STATE,
      {
        reason,
      },
    );
  }

  function verify(state: unknown, tool: string): ParkedCall {
    if (typeof state !== 'string' || state.length > 1024) throw refuse('invalid_request_state');
    const [payload, mac] = state.split('.');
    if (!payload || !mac) throw refuse('invalid_request_state');
    let claims: { h?: unknown; c?: unknown; r?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw refuse('invalid_request_state');
    }
    if (claims.h !== hubId)
      throw refuse(
        'other_hub',
        'it was issued by another hub, which holds the call; send the retry there, or start the call again',
      );
    const expected = Buffer.from(sign(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw refuse('invalid_request_state');
    const call = typeof claims.c === 'string' ? parked.get(claims.c) : undefined;
    if (!call || call.round !== claims.r || call.tool !== tool) throw refuse('expired_request_state');
    return call;
  }

  function park(call: ParkedCall): void {
    clearTimeout(call.expiry);
    call.expiry = setTimeout(() => {
      parked.delete(call.id);
      call.controller.abort(new Error('the caller did not answer the input requests in time'));
    }, options.parkTimeoutMs);
    call.expiry.unref();
  }

  /** Waits for the call's result or its next question, and turns that into this round's answer. */
  async function nextRound(call: ParkedCall): Promise<RoundOutcome> {
    const unsent = () => [...call.asks].filter(([, ask]) => !ask.sent);
    let ended: { result?: CallToolResult; error?: unknown } | undefined;
    if (unsent().length === 0) {
      ended = await Promise.race([
        call.outcome,
        new Promise<undefined>((resolve) => {
          call.wake = () => resolve(undefined);
        }),
      ]);
      call.wake = undefined;
    }
    if (call.failure) {
      clearTimeout(call.expiry);
      parked.delete(call.id);
      throw call.failure;
    }
    if (ended) {
      clearTimeout(call.expiry);
      parked.delete(call.id);
      if (ended.error !== undefined) throw ended.error;
      return { kind: 'complete', result: ended.result! };
    }
    const questions = unsent();
    for (const [, ask] of questions) ask.sent = true;
    call.round++;
    park(call);
    return {
      kind: 'input_required',
      inputRequests: Object.fromEntries(questions.map(([name, ask]) => [name, ask.request])),
      requestState: mint(call),
    };
  }

  return {
    /**
     * Runs a call for a 2026-07-28 caller. `run` gets the signal that ends the call (it outlives
     * the HTTP request of a round), `ask`, which puts a question to the caller, and `notify`, which
     * sends progress and log messages to the round in progress (`sink`; a retry brings its own).
     */
    start(
      tool: string,
      sink: (message: unknown) => void,
      run: (
        signal: AbortSignal,
        ask: (request: InputRequest, key?: string) => Promise<unknown>,
        notify: (message: unknown) => void,
      ) => Promise<CallToolResult>,
    ): { id: string; outcome: Promise<RoundOutcome> } {
      const call: ParkedCall = {
        id: randomUUID(),
        tool,
        round: 0,
        controller: new AbortController(),
        asks: new Map(),
        nextKey: 0,
        outcome: Promise.resolve({}),
        sink,
      };
      // A question keeps the key its spoke gave it when it has one (and it is free).
      const ask = (request: InputRequest, key?: string) =>
        new Promise<unknown>((resolve, reject) => {
          if (call.controller.signal.aborted) return reject(call.controller.signal.reason as Error);
          const name = key !== undefined && !call.asks.has(key) ? key : `q${++call.nextKey}`;
          call.asks.set(name, { request, resolve, reject, sent: false });
          // Woken on the next microtask: questions asked together go out in one round.
          queueMicrotask(() => call.wake?.());
        });
      call.controller.signal.addEventListener('abort', () => {
        for (const pending of call.asks.values()) pending.reject(call.controller.signal.reason as Error);
        call.asks.clear();
      });
      call.outcome = run(call.controller.signal, ask, (message) => call.sink(message)).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      // A call that ends while parked (its timeout, a shutdown) is forgotten at once; a call that
      // ends while a round waits is answered by that round (nextRound).
      void call.outcome.then(() => {
        if (call.wake) return;
        clearTimeout(call.expiry);
        parked.delete(call.id);
      });
      parked.set(call.id, call);
      return { id: call.id, outcome: nextRound(call) };
    },

    /**
     * A retry: checks `requestState`, gives the spoke the caller's answers, and waits for the
     * result or the next question. A question left unanswered is asked again.
     */
    resume(
      tool: string,
      requestState: unknown,
      inputResponses: unknown,
      sink: (message: unknown) => void,
    ): { id: string; outcome: Promise<RoundOutcome> } {
      const call = verify(requestState, tool);
      clearTimeout(call.expiry);
      call.sink = sink;
      const answers =
        typeof inputResponses === 'object' && inputResponses !== null && !Array.isArray(inputResponses)
          ? (inputResponses as Record<string, unknown>)
          : {};
      for (const [name, ask] of call.asks) {
        if (!ask.sent) continue;
        if (Object.hasOwn(answers, name)) {
          call.asks.delete(name);
          ask.resolve(answers[name]);
        } else ask.sent = false;
      }
      return { id: call.id, outcome: nextRound(call) };
    },

    /**
     * The call needs what the caller cannot give (a capability it did not declare): the round in
     * progress answers `error`, and the call ends.
     */
    refuse(id: string, error: Error): void {
      const call = parked.get(id);
      if (!call) return;
      call.failure = error;
      parked.delete(id);
      call.controller.abort(error);
      call.wake?.();
    },

    /** The caller went away in the middle of a round: the call ends. */
    cancel(id: string, reason: string): void {
      const call = parked.get(id);
      parked.delete(id);
      call?.controller.abort(new Error(reason));
    },

    /**
     * Ends the calls waiting for their caller's retry (an `input_required` answered, no round in
     * progress): when the hub stops accepting requests, that retry cannot come.
     */
    endWaiting(reason: string): void {
      for (const call of [...parked.values()]) {
        if (call.round === 0 || call.wake) continue;
        clearTimeout(call.expiry);
        parked.delete(call.id);
        call.controller.abort(new Error(reason));
      }
    },

    get parkedCalls(): number {
      return parked.size;
    },

    close(): void {
      for (const call of parked.values()) call.controller.abort(new Error('the hub is shutting down'));
      parked.clear();
    },
  };
}

export type InputRequiredBridge = ReturnType<typeof createInputRequiredBridge>;
