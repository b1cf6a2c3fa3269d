import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A minimal handshake-era MCP server on node:http (stateless, JSON answers, no SDK) whose
 * `tools/list` answers exactly what the test gives it — including what the SDK would never let a
 * server say (a tool name with "/", a 20 KiB description): a third-party server misbehaving. With
 * `requireAuthorization` it answers 401 to any request without that exact Authorization header.
 */
export async function startScriptedMcpServer(
  t: TestContext,
  tools: Record<string, unknown>[],
  options: { requireAuthorization?: string } = {},
) {
  /** Every Authorization header it was sent. */
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    if (req.headers.authorization !== undefined) authorizations.push(req.headers.authorization);
    if (
      options.requireAuthorization !== undefined &&
      req.headers.authorization !== options.requireAuthorization
    )
      return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (message.id === undefined) return void res.writeHead(202).end();
      const answer = (body: Record<string, unknown>) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...body }));
      if (message.method === 'initialize')
        return answer({
          result: {
            protocolVersion: message.params.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'scripted', version: '1' },
          },
        });
      if (message.method === 'tools/list') return answer({ result: { tools } });
      if (message.method === 'ping') return answer({ result: {} });
      if (message.method === 'tools/call')
        return answer({ result: { content: [{ type: 'text', text: `called ${message.params.name}` }] } });
      answer({ error: { code: -32601, message: 'Method not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return { port, mcpUrl: `http://127.0.0.1:${port}/mcp`, authorizations };
}
