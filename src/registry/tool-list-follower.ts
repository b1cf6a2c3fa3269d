import type { Logger } from '../logger.js';
import type { RegistryService } from './registry-service.js';
import type { RegistryStore } from './registry-store.js';

/**
 * Follows servers that change their tools at runtime: when one says so
 * (`notifications/tools/list_changed`, heard by the upstream pool), every active instance at that
 * endpoint whose tools were discovered is listed again and re-registered — the database, this
 * hub's clients (list_changed) and the other hubs on the same PostgreSQL all follow through the
 * registry store, as for any registration. One listing per instance at a time; notices arriving
 * meanwhile fold into one more listing after it.
 */
export function createToolListFollower(options: {
  store: RegistryStore;
  service: Pick<RegistryService, 'rediscover'>;
  logger: Logger;
}) {
  const { store, service, logger } = options;
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();

  async function relist(serviceId: string): Promise<void> {
    do {
      again.delete(serviceId);
      try {
        const done = await service.rediscover(serviceId);
        if (done)
          logger.info('tools listed again after the server changed them', {
            service_id: serviceId,
            tools: done.tools.length,
            skipped: done.warnings.length,
          });
      } catch (error) {
        // The server may be restarting; the next notice or its health check will tell.
        logger.warn('listing changed tools failed', {
          service_id: serviceId,
          error: (error as Error).message,
        });
      }
    } while (again.has(serviceId));
  }

  function follow(serviceId: string): void {
    if (running.has(serviceId)) {
      again.add(serviceId);
      return;
    }
    const run = relist(serviceId).finally(() => running.delete(serviceId));
    running.set(serviceId, run);
  }

  return {
    /** The server at `endpoint` says its tools changed. */
    toolsChanged(endpoint: string): void {
      for (const instance of store.routing.allInstances())
        if (instance.endpoint === endpoint && store.getService(instance.serviceId)?.tools_discovered)
          follow(instance.serviceId);
    },

    /** Waits for the listings under way (tests, shutdown). */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
