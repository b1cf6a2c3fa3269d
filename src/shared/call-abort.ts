/**
 * What the tool-call path needs of an abort signal. The platform's AbortSignal has it, and so has
 * `CallAbortController`'s, which is what the hub makes for each call and each attempt.
 */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A call's cancellation without an EventTarget. On Node 20 every AbortSignal is built by swapping
 * an EventTarget's prototype, and V8 then keeps each one — with whatever its listeners reach —
 * alive through scavenges until a full collection (fixed in Node 22, nodejs/node#52408). The hub
 * made three per call: with these instead, together with `InFlight` registries, the hub's CPU
 * per call at concurrency 10 fell from 0.96–1.00 to 0.84–0.85 of the spoke's (alternating builds,
 * `bench/profile-hub.ts`; docs/performance.md). undici's `request` takes this signal as it is (any
 * object with `addEventListener`); where an API wants a real AbortSignal (the SDK client, fetch,
 * hub tools) `toAbortSignal` makes one.
 */
export class CallAbortController {
  readonly signal = new CallAbortSignal();

  /** Aborts with `reason` (a DOMException named AbortError by default, as AbortController does). */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    this.signal.fire(reason);
  }
}

class CallAbortSignal implements CallSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] | undefined;

  /** Every listener runs at most once (a signal fires once), so `once` changes nothing here. */
  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    // As on an EventTarget: a listener added after the signal fired never runs.
    if (this.aborted) return;
    this.#listeners ??= [];
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    const at = listeners ? listeners.indexOf(listener) : -1;
    if (at >= 0) listeners!.splice(at, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Marks the signal aborted and runs its listeners once each, in the order they were added. */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    for (const listener of listeners ?? []) {
      try {
        listener();
      } catch (error) {
        // As an EventTarget does: a throwing listener neither stops the others nor the abort.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** The platform AbortSignal a CallSignal stands for: itself when it is one, else one that follows it. */
export function toAbortSignal(signal: CallSignal): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  const follower = new AbortController();
  if (signal.aborted) follower.abort(signal.reason);
  else signal.addEventListener('abort', () => follower.abort(signal.reason), { once: true });
  return follower.signal;
}
