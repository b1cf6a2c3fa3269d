// The floor: a minimal JSON-RPC MCP spoke on node:http (stateless, JSON answers), no SDK.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const TOOL = {
  name: 'echo',
  description: 'echo',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
};
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return void res.end('ok');
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (message.id === undefined) return void res.writeHead(202).end();
    let result: unknown = {};
    if (message.method === 'server/discover') {
      // A handshake-era server: the unknown method is refused, and the hub falls back to initialize.
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32601, message: 'Method not found' },
        }),
      );
    }
    if (message.method === 'initialize') {
      result = {
        protocolVersion: message.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'raw-spoke', version: '1' },
      };
    } else if (message.method === 'tools/list') result = { tools: [TOOL] };
    else if (message.method === 'tools/call')
      result = { content: [{ type: 'text', text: String(message.params.arguments?.text ?? '') }] };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
  });
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
