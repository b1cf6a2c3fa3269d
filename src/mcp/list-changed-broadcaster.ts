import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logger.js';
import type { RegistryChange, RegistryStore } from '../registry/registry-store.js';

/**
 * Tells every live MCP session (both transports) that the tool list changed, debounced so that a
 * burst of registrations sends one notification per session.
 */
export function createListChangedBroadcaster(options: {
  store: RegistryStore;
  debounceMs: number;
  logger: Logger;
}) {
  const servers = new Set<Server>();
  let timer: NodeJS.Timeout | undefined;

  const send = () => {
    timer = undefined;
    for (const server of servers) {
      server
        .sendToolListChanged()
        .catch((error) => options.logger.debug('list_changed not delivered', { error: String(error) }));
    }
  };
  const onChange = (change: RegistryChange) => {
    if (!change.catalogueChanged || servers.size === 0) return;
    timer ??= setTimeout(send, options.debounceMs);
  };
  options.store.on('change', onChange);

  return {
    add(server: Server): void {
      servers.add(server);
    },
    delete(server: Server): void {
      servers.delete(server);
    },
    get size(): number {
      return servers.size;
    },
    close(): void {
      options.store.off('change', onChange);
      if (timer) clearTimeout(timer);
      servers.clear();
    },
  };
}

export type ListChangedBroadcaster = ReturnType<typeof createListChangedBroadcaster>;
