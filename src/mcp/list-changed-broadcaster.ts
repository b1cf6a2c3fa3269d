import type { Logger } from '../logger.js';
import type { RegistryChange, RegistryStore } from '../registry/registry-store.js';

/**
 * Who hears that the tool list changed: a legacy session's or a stdio connection's MCP server
 * (the SDK sends `notifications/tools/list_changed`, or on a 2026-07-28 stdio connection routes it
 * to the open `subscriptions/listen`), or the 2026-07-28 HTTP handler's listen streams.
 */
export interface ListChangeListener {
  sendToolListChanged(): Promise<void> | void;
  sendPromptListChanged?(): Promise<void> | void;
  sendResourceListChanged?(): Promise<void> | void;
}

type ListKind = 'tools' | 'prompts' | 'resources';

/**
 * Tells every listener that the tool list changed (a registration, a departure, a server's own
 * list_changed), or the merged prompt or resource list (a server's list_changed, a service that
 * came or went), debounced so that a burst sends one notification per session or stream and list.
 */
export function createListChangedBroadcaster(options: {
  store: RegistryStore;
  debounceMs: number;
  logger: Logger;
}) {
  const servers = new Set<ListChangeListener>();
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<ListKind>();

  const send = () => {
    timer = undefined;
    const kinds = [...pending];
    pending.clear();
    for (const server of servers) {
      for (const kind of kinds) {
        Promise.resolve()
          .then(() =>
            kind === 'tools'
              ? server.sendToolListChanged()
              : kind === 'prompts'
                ? server.sendPromptListChanged?.()
                : server.sendResourceListChanged?.(),
          )
          .catch((error) =>
            options.logger.debug('list_changed not delivered', { kind, error: String(error) }),
          );
      }
    }
  };
  const changed = (...kinds: ListKind[]) => {
    if (servers.size === 0) return;
    for (const kind of kinds) pending.add(kind);
    timer ??= setTimeout(send, options.debounceMs);
  };
  const onChange = (change: RegistryChange) => {
    if (change.catalogueChanged) changed('tools');
    // A service came or went: the merged prompts and resources may have changed with it.
    if (change.definitionsChanged) changed('prompts', 'resources');
  };
  options.store.on('change', onChange);

  return {
    /** A registered server said its prompt or resource list changed. */
    surfaceChanged(list: 'prompts' | 'resources'): void {
      changed(list);
    },
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
