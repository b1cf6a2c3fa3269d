// The least an HTTP MCP proxy can do, as a reference path for the benchmark: `tsx bench/minimal-proxy.ts <upstream origin> [port]`.
// node:http in, one undici Pool out, bodies passed through whole; no parsing, routing, queue,
// breaker, retries, limits, history or metrics. What it reaches against direct calls at
// concurrency 10 is what the §10 throughput budget leaves for a gateway's own work on this
// machine (measured 86–99 % of direct at 134–176 µs of CPU per call; the hub: see RESULTS.md).
// Prints {"port": n} on stdout when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const [upstream, port = '0'] = process.argv.slice(2);
if (!upstream) throw new Error('usage: minimal-proxy.ts <upstream origin> [port]');
const pool = new Pool(upstream, { connections: 128 });
const PASSED = ['content-type', 'accept', 'mcp-protocol-version', 'mcp-session-id', 'mcp-method', 'mcp-name'];

const server = createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of PASSED) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await pool.request({
      path: req.url ?? '/',
      method: req.method as 'POST',
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    const out: Record<string, string | number> = { 'content-length': body.length };
    for (const name of ['content-type', 'mcp-session-id']) {
      const value = answer.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    res.writeHead(answer.statusCode, out).end(body);
  } catch (error) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
  }
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
