import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { TestContext } from 'node:test';
import { freePort } from './free-port.js';

const require = createRequire(import.meta.url);
const BIN = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

/**
 * The MCP project's own reference server, `@modelcontextprotocol/server-everything` (SDK v1, every
 * capability, no `/health` route), as a child process — a real third-party server for the hub to
 * federate. `transport` picks how it serves: streamable HTTP at /mcp, or legacy HTTP+SSE at /sse.
 */
export async function startEverythingServer(
  t: TestContext,
  options: { port?: number; transport?: 'streamableHttp' | 'sse' } = {},
) {
  const port = options.port ?? (await freePort());
  const transport = options.transport ?? 'streamableHttp';
  const child: ChildProcess = spawn(process.execPath, [BIN, transport], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Killed after the test even when it never came up: a live child keeps the test process alive.
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  t.after(stop);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/(listening|running) on port/i.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${stderr}`)));
  });
  return {
    port,
    mcpUrl: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`,
    /** A registration of it by `mcp_url` alone (no tools, no /health), its names under `ev__`. */
    registration: (serviceId: string) => ({
      service_id: serviceId,
      service_name: 'everything',
      address: '127.0.0.1',
      port,
      mcp_url: `http://127.0.0.1:${port}/${transport === 'sse' ? 'sse' : 'mcp'}`,
      namespace: 'ev',
    }),
    /** Kills it (as a crash would) and waits until it is gone. */
    stop,
  };
}
