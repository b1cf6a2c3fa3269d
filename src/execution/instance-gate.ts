import CircuitBreaker from 'opossum';
import PQueue from 'p-queue';
import { HubError } from '../errors.js';
import { UpstreamError } from './upstream-errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface InstanceGateOptions {
  /** Calls running at once. */
  concurrency: number;
  /** Calls allowed to wait; one more is refused at once as busy. */
  maxPending: number;
  /**
   * Consecutive failures that open the breaker, whatever succeeded before (the design document's
   * "5 failures → OPEN"). Also opossum's rate rule: with at least this many calls in the 10 s
   * rolling window and more than half of them failed, it opens too.
   */
  failureThreshold: number;
  /** How long the breaker stays open before one probe call is let through, in ms. */
  resetTimeoutMs: number;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * The bulkhead and the breaker of one instance: a p-queue (bounded concurrency, bounded waiting
 * line) in front of an opossum breaker. Caller errors and cancellations are filtered so they never
 * count against the spoke; a full queue is refused before the breaker sees it.
 */
export function createInstanceGate(options: InstanceGateOptions) {
  const queue = new PQueue({ concurrency: options.concurrency });
  let inFlight = 0;
  let consecutiveFailures = 0;
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    // Timeouts are the engine's (per tool, with an upstream abort); opossum's would leave the call running.
    timeout: false,
    resetTimeout: options.resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: options.failureThreshold,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    // Neither is read by the hub (its latency figures are the history's and /metrics'). On by
    // default, they kept every call's latency in the window's arrays (a 10 s window: 15,000
    // numbers at 1,500 calls/s) and, once a second per instance, concatenated and sorted them for
    // a snapshot nobody listens to. (The window's own one-second bucket rotation stays.) No change
    // in the hub's CPU per call at c=10 beyond noise, three alternating pairs of
    // bench/profile-hub.ts: dead work, not a bottleneck.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    errorFilter: isNotTheSpokesFault,
  });
  const state = (): BreakerState => (breaker.halfOpen ? 'half_open' : breaker.opened ? 'open' : 'closed');
  breaker.on('open', () => options.onStateChange?.('open'));
  breaker.on('halfOpen', () => options.onStateChange?.('half_open'));
  breaker.on('close', () => {
    consecutiveFailures = 0;
    options.onStateChange?.('closed');
  });

  return {
    /**
     * Runs `work` through the queue and the breaker. Throws HubError `instance_busy` when the
     * waiting line is full and `breaker_open` when the breaker refuses; both mean "never reached".
     */
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (breaker.opened && !breaker.halfOpen) throw breakerOpen();
      if (queue.size >= options.maxPending && queue.pending >= options.concurrency) {
        throw new HubError(
          'instance_busy',
          'the instance is busy: its queue is full; try again shortly',
          undefined,
          {
            retryAfterSeconds: 1,
          },
        );
      }
      return queue.add(async () => {
        inFlight++;
        try {
          const result = (await breaker.fire(work)) as T;
          consecutiveFailures = 0;
          return result;
        } catch (error) {
          if ((error as { code?: string })?.code === 'EOPENBREAKER') throw breakerOpen();
          if (!isNotTheSpokesFault(error)) {
            consecutiveFailures++;
            // opossum's own rule is a rate over a window: a busy instance that turns bad would keep
            // failing calls until the failures outweigh the earlier successes.
            if (consecutiveFailures >= options.failureThreshold && !breaker.opened) breaker.open();
          }
          throw error;
        } finally {
          inFlight--;
        }
      }) as Promise<T>;
    },
    get state(): BreakerState {
      return state();
    },
    /** Calls running on the instance (what `current_load` reports). */
    get inFlight(): number {
      return inFlight;
    },
    /** Failures in a row (reset by any success). */
    get consecutiveFailures(): number {
      return consecutiveFailures;
    },
    /** Resolves when no call is running or waiting. */
    idle(): Promise<void> {
      return queue.onIdle();
    },
    /** Calls waiting in the queue. */
    get queued(): number {
      return queue.size;
    },
    /** Routable: closed, or half-open (the probe may go). */
    get acceptsCalls(): boolean {
      return !breaker.opened || breaker.halfOpen;
    },
    close(): void {
      breaker.shutdown();
      queue.clear();
    },
  };
}

/** Caller errors and cancellations never count against the spoke. */
function isNotTheSpokesFault(error: unknown): boolean {
  return (
    (error instanceof UpstreamError && error.kind === 'caller') ||
    // The hub refused before sending (no upstream session left for the caller).
    (error instanceof HubError && error.code === 'instance_busy') ||
    (error as { name?: string })?.name === 'AbortError' ||
    error instanceof CallerAbort
  );
}

/** The caller cancelled or the hub is shutting down: not the spoke's fault. */
export class CallerAbort extends Error {
  override name = 'CallerAbort';
}

function breakerOpen(): HubError {
  return new HubError('breaker_open', "the instance's circuit breaker is open after repeated failures");
}

export type InstanceGate = ReturnType<typeof createInstanceGate>;
