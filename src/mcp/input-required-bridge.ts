import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type CallToolResult, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { CallAbortController, type CallSignal } from '../shared/call-abort.js';
import { InFlight } from '../shared/in-flight.js';

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

type Ended = { result?: CallToolResult; error?: unknown };

/**
 * A call of a 2026-07-28 caller; between rounds its upstream request stays open, its spoke waiting
 * for answers. Most calls never ask anything: what only a question needs (the id a requestState
 * names, the map of questions, the abort listener that fails them) is made at the first question,
 * so a plain call costs the hub one small record and one CallAbortController (docs/performance.md).
 */
interface BridgedCall {
  /** Its place among the calls in flight (InFlight), -1 once it is over for this hub. */
  slot: number;
  /** Given when the call first parks (the id its requestState names). */
  id?: string;
  tool: string;
  round: number;
  controller: CallAbortController;
  /** The questions asked so far and not answered; made at the first question. */
  asks?: Map<string, Ask>;
  nextKey: number;
  /** How the call ended (result or error), once it has. */
  ended?: Ended;
  /** Wakes the round waiting for the call's end or its next question. */
  wake?: () => void;
  expiry?: NodeJS.Timeout;
  /** Why the round in progress must answer an error instead (the caller cannot answer a question). */
  failure?: Error;
  /** Where the call's progress and log messages go: the response of the round in progress. */
  sink: (message: unknown) => void;
}

/** One round of a call, as its front sees it: what the round answers, and how to end the call. */
export interface BridgedRound {
  outcome: Promise<RoundOutcome>;
  /** The caller went away in the middle of the round: the call ends. */
  cancel(reason: string): void;
  /**
   * The call needs what the caller cannot give (a capability it did not declare): the round in
   * progress answers `error`, and the call ends.
   */
  refuse(error: Error): void;
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
  // Every call of a 2026-07-28 caller in flight on this hub (the shutdown ends them all) …
  const active = new InFlight<BridgedCall>();
  // … and, by id, those that have asked a question (a requestState names them).
  const parked = new Map<string, BridgedCall>();

  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  function mint(call: BridgedCall): string {
    call.id ??= randomUUID();
    parked.set(call.id, call);
    const payload = Buffer.from(JSON.stringify({ h: hubId, c: call.id, r: call.round })).toString(
      'base64url',
    );
    return `${payload}.${sign(payload)}`;
  }

  function refusal(reason: string, detail?: string): ProtocolError {
    return new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      detail ? `${INVALID_STATE}: ${detail}` : INVALID_STATE,
      {
        reason,
      },
    );
  }

  function verify(state: unknown, tool: string): BridgedCall {
    if (typeof state !== 'string' || state.length > 1024) throw refusal('invalid_request_state');
    const [payload, mac] = state.split('.');
    if (!payload || !mac) throw refusal('invalid_request_state');
    let claims: { h?: unknown; c?: unknown; r?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw refusal('invalid_request_state');
    }
    if (claims.h !== hubId)
      throw refusal(
        'other_hub',
        'it was issued by another hub, which holds the call; send the retry there, or start the call again',
      );
    const expected = Buffer.from(sign(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw refusal('invalid_request_state');
    const call = typeof claims.c === 'string' ? parked.get(claims.c) : undefined;
    if (!call || call.round !== claims.r || call.tool !== tool) throw refusal('expired_request_state');
    return call;
  }

  /** The call is over for this hub: no retry can name it any more. */
  function forget(call: BridgedCall): void {
    clearTimeout(call.expiry);
    active.delete(call);
    if (call.id !== undefined) parked.delete(call.id);
  }

  function end(call: BridgedCall, reason: Error): void {
    forget(call);
    call.controller.abort(reason);
  }

  function park(call: BridgedCall): void {
    clearTimeout(call.expiry);
    call.expiry = setTimeout(
      () => end(call, new Error('the caller did not answer the input requests in time')),
      options.parkTimeoutMs,
    );
    call.expiry.unref();
  }

  function hasUnsent(call: BridgedCall): boolean {
    if (call.asks) for (const ask of call.asks.values()) if (!ask.sent) return true;
    return false;
  }

  /** Waits for the call's result or its next question, and turns that into this round's answer. */
  async function nextRound(call: BridgedCall): Promise<RoundOutcome> {
    if (call.ended === undefined && call.failure === undefined && !hasUnsent(call)) {
      await new Promise<void>((resolve) => {
        call.wake = resolve;
      });
      call.wake = undefined;
    }
    if (call.failure) {
      forget(call);
      throw call.failure;
    }
    const ended = call.ended;
    if (ended) {
      forget(call);
      if (ended.error !== undefined) throw ended.error;
      return { kind: 'complete', result: ended.result! };
    }
    const questions = [...call.asks!].filter(([, ask]) => !ask.sent);
    for (const [, ask] of questions) ask.sent = true;
    call.round++;
    const requestState = mint(call);
    park(call);
    return {
      kind: 'input_required',
      inputRequests: Object.fromEntries(questions.map(([name, ask]) => [name, ask.request])),
      requestState,
    };
  }

  function roundOf(call: BridgedCall): BridgedRound {
    return {
      outcome: nextRound(call),
      cancel(reason) {
        if (active.has(call)) end(call, new Error(reason));
      },
      refuse(error) {
        if (!active.has(call)) return;
        call.failure = error;
        end(call, error);
        call.wake?.();
      },
    };
  }

  /** Puts a question to the caller; it keeps the key its spoke gave it when it has one (and it is free). */
  function ask(call: BridgedCall, request: InputRequest, key?: string): Promise<unknown> {
    const signal = call.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (!call.asks) {
      const asks = new Map<string, Ask>();
      call.asks = asks;
      signal.addEventListener(
        'abort',
        () => {
          for (const pending of asks.values()) pending.reject(signal.reason as Error);
          asks.clear();
        },
        { once: true },
      );
    }
    const asks = call.asks;
    return new Promise<unknown>((resolve, reject) => {
      const name = key !== undefined && !asks.has(key) ? key : `q${++call.nextKey}`;
      asks.set(name, { request, resolve, reject, sent: false });
      // Woken on the next microtask: questions asked together go out in one round.
      queueMicrotask(() => call.wake?.());
    });
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
        signal: CallSignal,
        ask: (request: InputRequest, key?: string) => Promise<unknown>,
        notify: (message: unknown) => void,
      ) => Promise<CallToolResult>,
    ): BridgedRound {
      const call: BridgedCall = {
        slot: -1,
        tool,
        round: 0,
        controller: new CallAbortController(),
        nextKey: 0,
        sink,
      };
      active.add(call);
      // A call that ends while parked (its timeout, a shutdown) is forgotten at once; a call that
      // ends while a round waits is answered by that round (nextRound).
      const settle = (ended: Ended) => {
        call.ended = ended;
        if (call.wake) call.wake();
        else forget(call);
      };
      run(
        call.controller.signal,
        (request, key) => ask(call, request, key),
        (message) => call.sink(message),
      ).then(
        (result) => settle({ result }),
        (error: unknown) => settle({ error }),
      );
      return roundOf(call);
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
    ): BridgedRound {
      const call = verify(requestState, tool);
      clearTimeout(call.expiry);
      call.sink = sink;
      const answers =
        typeof inputResponses === 'object' && inputResponses !== null && !Array.isArray(inputResponses)
          ? (inputResponses as Record<string, unknown>)
          : {};
      for (const [name, ask] of call.asks ?? []) {
        if (!ask.sent) continue;
        if (Object.hasOwn(answers, name)) {
          call.asks!.delete(name);
          ask.resolve(answers[name]);
        } else ask.sent = false;
      }
      return roundOf(call);
    },

    /**
     * Ends the calls waiting for their caller's retry (an `input_required` answered, no round in
     * progress): when the hub stops accepting requests, that retry cannot come.
     */
    endWaiting(reason: string): void {
      for (const call of [...parked.values()]) if (!call.wake) end(call, new Error(reason));
    },

    /** Calls that asked their caller something and are not over (a requestState names them). */
    get parkedCalls(): number {
      return parked.size;
    },

    close(): void {
      for (const call of active.values()) end(call, new Error('the hub is shutting down'));
    },
  };
}

export type InputRequiredBridge = ReturnType<typeof createInputRequiredBridge>;
