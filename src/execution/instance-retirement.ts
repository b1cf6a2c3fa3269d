import type { Logger } from '../logger.js';
import type { RegistryChange, RegistryStore } from '../registry/registry-store.js';
import type { Balancer } from './balancer.js';
import type { InstanceGates } from './instance-gates.js';

export interface InstanceRetirementOptions {
  store: RegistryStore;
  gates: InstanceGates;
  balancer: Pick<Balancer, 'forget'>;
  /** Ends the upstream MCP session of an endpoint. */
  forgetEndpoint: (endpoint: string) => Promise<void>;
  /** Drops an instance's per-instance metrics. */
  forgetMetrics: (serviceId: string) => void;
  logger: Logger;
}

/**
 * Frees what the hub holds for an instance once it has left the registry (deregistered, expired,
 * deactivated by another hub) or moved to another endpoint: its gate, balancer state and metrics
 * after its calls in flight have finished, and its upstream session when no other instance uses the
 * same endpoint. Subscribed to the store, so no writer has to remember it.
 */
export function startInstanceRetirement(options: InstanceRetirementOptions) {
  const { store, gates, logger } = options;
  const pending = new Set<Promise<void>>();

  const endpointInUse = (endpoint: string) => {
    for (const instance of store.routing.allInstances()) if (instance.endpoint === endpoint) return true;
    return false;
  };

  async function retire(serviceId: string, endpoint: string, stillRegistered: boolean): Promise<void> {
    if (!stillRegistered) {
      const dropped = await gates.retire(serviceId);
      if (!dropped) return;
      options.balancer.forget(serviceId);
      options.forgetMetrics(serviceId);
    }
    if (!endpointInUse(endpoint)) await options.forgetEndpoint(endpoint);
  }

  const onChange = (change: RegistryChange) => {
    for (const { serviceId, endpoint, stillRegistered } of change.retired) {
      const work = retire(serviceId, endpoint, stillRegistered)
        .catch((error) =>
          logger.warn('instance resources not freed', { service_id: serviceId, error: String(error) }),
        )
        .finally(() => pending.delete(work));
      pending.add(work);
    }
  };
  store.on('change', onChange);

  return {
    /** Resolves when every retirement started so far has finished (tests, shutdown). */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close(): void {
      store.off('change', onChange);
    },
  };
}
