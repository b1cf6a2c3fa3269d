import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A spoke on raw HTTP that speaks the handshake era: it refuses `server/discover` as an SDK v1
 * server does before `initialize` (so the hub's client falls back to `initialize`), answers
 * initialize properly and tools/call with whatever `answer` writes.
 */
export async function startRawSpoke(
  t: TestContext,
  answer: (res: ServerResponse, id: unknown) => void,
): Promise<number> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const message = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      if (message.id === undefined) return void res.writeHead(202).end();
      if (message.method === 'server/discover') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: { code: -32000, message: 'Bad Request: Server not initialized' },
          }),
        );
      }
      if (message.method === 'initialize') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: message.id,
            result: {
              protocolVersion: message.params.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: 'raw', version: '1' },
            },
          }),
        );
      }
      answer(res, message.id);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}
