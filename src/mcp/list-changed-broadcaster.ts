import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logger.js';
import type { RegistrySnapshot, SnapshotChange } from '../registry/registry-snapshot.js';

/**
 * Tells every live MCP session (both transports) that the tool list changed, debounced so that a
 * burst of registrations sends one notification per session.
 */
export function createListChangedBroadcaster(options: {
  snapshot: RegistrySnapshot;
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
  const onChange = (change: SnapshotChange) => {
    if (!change.catalogueChanged || servers.size === 0) return;
    timer ??= setTimeout(send, options.debounceMs);
  };
  options.snapshot.on('change', onChange);

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
      options.snapshot.off('change', onChange);
      if (timer) clearTimeout(timer);
      servers.clear();
    },
  };
}

export type ListChangedBroadcaster = ReturnType<typeof createListChangedBroadcaster>;
