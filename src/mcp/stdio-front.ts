import type { Server } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { ListChangedBroadcaster } from './list-changed-broadcaster.js';
import { createMcpServerFactory, type McpBackend, toolListOf } from './mcp-server-factory.js';
import type { ToolListMemory } from './remembered-tool-list.js';
import { createStdioMessageGuard } from './stdio-message-guard.js';

export interface StdioFrontOptions {
  version: string;
  pageSize: number;
  /** Called once when stdin ends: the CLI shuts down. */
  onEnd: () => void;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /**
   * The tool list of the last run (a desktop hub on its own data directory): tools/list answers
   * it until the hub is ready, and the live list is remembered from then on.
   */
  memory?: ToolListMemory;
}

/**
 * MCP over stdin/stdout, opened before the hub behind it exists. The CLI opens it first thing, so
 * `initialize` (or `server/discover`) is answered while the database and the rest of the hub load
 * (SPEC §3: warm start under 1.5 s; the embedded database alone needs more than a second to
 * open). `tools/list` and `tools/call` wait for `attach`; `fail` turns them into errors when
 * start-up fails.
 *
 * Both protocol eras: the SDK's `serveStdio` lets the opening message choose (`initialize` pins a
 * handshake-era server for the connection; a request carrying the 2026-07-28 `_meta` envelope, or
 * `server/discover`, pins a stateless one). The same factory builds either.
 *
 * Open upstream sockets would keep the process alive after stdin ends, so EOF is turned into
 * `onEnd`.
 */
export function openStdioFront(options: StdioFrontOptions) {
  let provide: (backend: McpBackend) => void = () => {};
  let refuse: (error: Error) => void = () => {};
  const backend = new Promise<McpBackend>((resolve, reject) => {
    provide = resolve;
    refuse = reject;
  });
  // Nobody may be waiting when start-up fails; the rejection is still delivered to later requests.
  backend.catch(() => {});
  const memory = options.memory;
  const remembered = memory?.remembered;
  let live: McpBackend | undefined;
  let failed = false;
  let servedRemembered = false;
  const createServer = createMcpServerFactory({
    backend,
    pageSize: options.pageSize,
    version: options.version,
    toolsBeforeReady: remembered
      ? () => {
          // Ready, or failed to start: the backend answers (the live list, or the start-up error).
          if (live || failed) return undefined;
          servedRemembered = true;
          return remembered;
        }
      : undefined,
  });
  // What the first answers wait for besides the hub itself (the spokes a --stdio hub starts).
  const holds: Promise<unknown>[] = [];
  // The servers serveStdio built (a discarded `server/discover` probe, then the pinned one); each
  // hears of tool list changes while it is open.
  const servers = new Set<Server>();
  let broadcaster: ListChangedBroadcaster | undefined;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const guarded = stdin.pipe(createStdioMessageGuard((line) => stdout.write(line)));
  const transport = new StdioServerTransport(guarded as never, stdout as never);
  const handle = serveStdio(
    () => {
      const server = createServer(() => ({ userAgent: 'stdio' }));
      servers.add(server);
      broadcaster?.add(server);
      const closed = server.onclose;
      server.onclose = () => {
        closed?.();
        servers.delete(server);
        broadcaster?.delete(server);
      };
      return server;
    },
    { transport },
  );
  // Hears every change of the tool list (debounced by the broadcaster) and keeps the new list.
  const rememberer = {
    sendToolListChanged: () => {
      if (live && memory) memory.remember(toolListOf(live));
    },
  };
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  stdin.on('end', end);
  stdin.on('close', end);
  return {
    /** The hub is up: waiting and later requests are served, list changes are announced. */
    attach(ready: McpBackend, listChanged: ListChangedBroadcaster): void {
      void Promise.all(holds).then(() => {
        live = ready;
        provide(ready);
        // Changes are announced from here on. Before, a client either waits for its list or is
        // answered from memory, and a list_changed (the spokes registering) would only have it
        // list the remembered tools again; the one that matters is sent below.
        broadcaster = listChanged;
        for (const server of servers) listChanged.add(server);
        if (!memory) return;
        const list = toolListOf(ready);
        // Clients that were answered from memory hear that the live list is another one.
        if (servedRemembered && JSON.stringify(list) !== JSON.stringify(remembered))
          for (const server of servers) void server.sendToolListChanged().catch(() => {});
        memory.remember(list);
        listChanged.add(rememberer);
      });
    },
    /**
     * Requests wait for `until` too (it must settle, bounded by the caller): a client that lists
     * tools once, as many do, gets the tools of the spokes the hub is starting, not an empty list.
     */
    hold(until: Promise<unknown>): void {
      holds.push(until.catch(() => {}));
    },
    /** Start-up failed: requests get this error instead of waiting. */
    fail(error: Error): void {
      failed = true;
      refuse(error);
    },
    async close(): Promise<void> {
      for (const server of servers) broadcaster?.delete(server);
      broadcaster?.delete(rememberer);
      await handle.close().catch(() => {});
    },
  };
}

export type StdioFront = ReturnType<typeof openStdioFront>;
