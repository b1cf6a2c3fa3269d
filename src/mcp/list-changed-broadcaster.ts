import type { Logger } from '../logger.js';
import type { RegistryChange, RegistryStore } from '../registry/registry-store.js';

/**
 * Who hears that the tool list changed: a legacy session's or a stdio connection's MCP server
 * (the SDK sends `notifications/tools/list_changed`, or on a 2026-07-28 stdio connection routes it
 * to the open `subscriptions/listen`), or the 2026-07-28 HTTP handler's listen streams.
 */
export interface ListChangeListener {
  sendToolListChanged(): Promise<void> | void;
}

/**
 * Tells every listener that the tool list changed, debounced so that a burst of registrations
 * sends one notification per session or stream.
 */
export function createListChangedBroadcaster(options: {
  store: RegistryStore;
  debounceMs: number;
  logger: Logger;
}) {
  const servers = new Set<ListChangeListener>();
  let timer: NodeJS.Timeout | undefined;

  const send = () => {
    timer = undefined;
    for (const server of servers) {
      Promise.resolve()
        .then(() => server.sendToolListChanged())
        .catch((error) => options.logger.debug('list_changed not delivered', { error: String(error) }));
    }
  };
  const onChange = (change: RegistryChange) => {
    if (!change.catalogueChanged || servers.size === 0) return;
    timer ??= setTimeout(send, options.debounceMs);
  };
  options.store.on('change', onChange);

  return {
    add(server: ListChangeListener): void {
      servers.add(server);
    },
    delete(server: ListChangeListener): void {
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
