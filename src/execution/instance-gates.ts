import type { RoutingView } from '../registry/routing-index.js';
import {
  type BreakerState,
  createInstanceGate,
  type InstanceGate,
  type InstanceGateOptions,
} from './instance-gate.js';

export interface InstanceGatesOptions {
  gate: Omit<InstanceGateOptions, 'onStateChange'>;
  /** Whether an instance is still registered (a retired gate is dropped only if it was not re-registered). */
  routing: Pick<RoutingView, 'getInstance'>;
  onStateChange?: (serviceId: string, state: BreakerState) => void;
}

/**
 * The instance gates (queue + breaker) of every instance that has been called, created on first use.
 * An instance that leaves the registry keeps its gate until its last call has finished, then the
 * gate is dropped (`retire`), so that neither a busy removal nor a churning registry leaves gates behind.
 */
export function createInstanceGates(options: InstanceGatesOptions) {
  const gates = new Map<string, InstanceGate>();

  function gateFor(serviceId: string): InstanceGate {
    let gate = gates.get(serviceId);
    if (!gate) {
      gate = createInstanceGate({
        ...options.gate,
        onStateChange: (state) => options.onStateChange?.(serviceId, state),
      });
      gates.set(serviceId, gate);
    }
    return gate;
  }

  return {
    gateFor,
    /** The gate of an instance, without creating one. */
    get: (serviceId: string): InstanceGate | undefined => gates.get(serviceId),
    entries: (): IterableIterator<[string, InstanceGate]> => gates.entries(),
    get size(): number {
      return gates.size;
    },
    /** What the REST API shows of an instance: breaker state, calls in flight and waiting. */
    runtime(serviceId: string): { breaker_state: BreakerState; current_load: number; queued: number } {
      const gate = gates.get(serviceId);
      return {
        breaker_state: gate?.state ?? 'closed',
        current_load: gate?.inFlight ?? 0,
        queued: gate?.queued ?? 0,
      };
    },
    /**
     * The instance left the registry: once its calls have finished, its gate is closed and dropped
     * (unless it came back meanwhile). Resolves true when the gate was dropped.
     */
    async retire(serviceId: string): Promise<boolean> {
      const gate = gates.get(serviceId);
      if (gate) await gate.idle();
      if (options.routing.getInstance(serviceId)) return false;
      if (gate && gates.get(serviceId) === gate) {
        gate.close();
        gates.delete(serviceId);
      }
      return true;
    },
    close(): void {
      for (const gate of gates.values()) gate.close();
      gates.clear();
    },
  };
}

export type InstanceGates = ReturnType<typeof createInstanceGates>;
