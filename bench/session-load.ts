import { setMaxListeners } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Cell } from './load.js';

/**
 * The SDK's transport passes one long-lived AbortSignal to all its fetches; undici adds a listener
 * to it per request, dropped only when that request is garbage-collected, and warns past 1,500 —
 * thousands of warning lines per bench run, from this process (not the hub's). The signal made
 * unbounded: the same requests, no warnings.
 */
const quietFetch: typeof fetch = (input, init) => {
  if (init?.signal) setMaxListeners(0, init.signal);
  return fetch(input, init);
};
const transportTo = (url: string) => new StreamableHTTPClientTransport(new URL(url), { fetch: quietFetch });

/**
 * Drives tools/call through the SDK's own Client (the session path real agents take): `clients`
 * sessions, each calling in a loop for `seconds`. Latency is measured per call with hrtime; the
 * Client itself costs about 1 ms per call on this side, the same for every path compared.
 */
export async function driveSessions(
  url: string,
  tool: string,
  clients: number,
  seconds: number,
): Promise<Cell> {
  const sessions = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(transportTo(url));
      return client;
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    sessions.map(async (client) => {
      while (performance.now() < end) {
        const start = performance.now();
        try {
          const result = await client.callTool({ name: tool, arguments: { text: 'x'.repeat(64) } });
          if (result.isError) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - start);
      }
    }),
  );
  await Promise.all(sessions.map((c) => c.close().catch(() => {})));
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    errors,
    calls: latencies.length,
  };
}

/**
 * The first tools/call of `count` new sessions, opened one after another (connect, then one call
 * timed): what a session pays when its first call opens its own upstream session.
 */
export async function firstCalls(
  url: string,
  tool: string,
  count: number,
): Promise<{ p50: number; samples: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const client = new Client({ name: 'bench-first-call', version: '1' });
    const transport = transportTo(url);
    await client.connect(transport);
    const start = performance.now();
    try {
      const result = await client.callTool({ name: tool, arguments: { text: 'first' } });
      if (result.isError) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - start);
    await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
  }
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length / 2)] ?? NaN, samples: latencies.length, errors };
}
