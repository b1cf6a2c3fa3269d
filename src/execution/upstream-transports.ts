import { createInterface } from 'node:readline';
import {
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { StdioService } from '../config/config-schema.js';
import type { Logger } from '../logger.js';

/**
 * How the hub reaches an MCP server, by the form of its endpoint:
 * - `http(s)://…`: streamable HTTP (the default, with the hand-written tools/call fast path), or
 *   the legacy HTTP+SSE transport of 2024-11-05 servers when the endpoint refuses streamable HTTP;
 * - `stdio:<name>`: a server the hub launched from its config file (`services`), over its stdin
 *   and stdout.
 * On SSE and stdio every request goes through the SDK client (no fast path).
 */
export type TransportKind = 'http' | 'sse' | 'stdio';

export function streamableHttpTransport(endpoint: string, fetch: typeof globalThis.fetch): Transport {
  return new StreamableHTTPClientTransport(new URL(endpoint), { fetch });
}

export function sseTransport(endpoint: string, fetch: typeof globalThis.fetch): Transport {
  return new SSEClientTransport(new URL(endpoint), { fetch });
}

/**
 * Starts a stdio service's process (through the SDK's transport, on connect) with a minimal
 * environment plus the service's own variables, and sends each line it writes to stderr to the
 * hub's log with the service's name (stdout is its MCP channel).
 */
export function stdioTransport(service: StdioService, logger: Logger): Transport {
  const transport = new StdioClientTransport({
    command: service.command,
    args: service.args,
    env: { ...getDefaultEnvironment(), ...service.env },
    cwd: service.cwd,
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr)
    createInterface({ input: stderr as unknown as NodeJS.ReadableStream }).on('line', (line) =>
      logger.info(line.slice(0, 2000), { stdio_service: service.name }),
    );
  return transport;
}
