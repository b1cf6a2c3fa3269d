import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ListChangedBroadcaster } from './list-changed-broadcaster.js';
import type { McpServerFactory } from './mcp-server-factory.js';

/**
 * MCP over stdin/stdout. The SDK's transport does not notice stdin ending, and open upstream
 * sockets would keep the process alive, so EOF is turned into `onEnd` (the CLI shuts down).
 */
export async function serveStdio(options: {
  createServer: McpServerFactory;
  broadcaster: ListChangedBroadcaster;
  onEnd: () => void;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}) {
  const server = options.createServer(() => ({ userAgent: 'stdio' }));
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin as never, (options.stdout ?? process.stdout) as never);
  await server.connect(transport);
  options.broadcaster.add(server);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  stdin.on('end', end);
  stdin.on('close', end);
  return {
    async close(): Promise<void> {
      options.broadcaster.delete(server);
      await server.close().catch(() => {});
    },
  };
}
