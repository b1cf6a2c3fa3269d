// The cost of the HTTP front itself: node:http + JSON.parse versus express with the middleware
// shape of /mcp (correlation id, request observer, host/auth/rate-limit stand-ins, express.json).
// `npx tsx bench/front-overhead.ts` prints calls/s and CPU per request (server + autocannon).
import { createServer } from 'node:http';
import autocannon from 'autocannon';
import express from 'express';
import helmet from 'helmet';

const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'x', arguments: { text: 'x'.repeat(64) } },
});
async function measure(name: string, handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  await autocannon({
    url,
    connections: 10,
    duration: 2,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  const cpu = process.cpuUsage();
  const r = await autocannon({
    url,
    connections: 10,
    duration: 4,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  const used = process.cpuUsage(cpu);
  console.log(
    `${name}: ${r.requests.average} rps, process CPU (server + autocannon) ${((used.user + used.system) / r.requests.total).toFixed(0)} µs per request`,
  );
  server.close();
}
await measure('node:http + JSON.parse', (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const m = JSON.parse(Buffer.concat(chunks).toString());
    const out = JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {} });
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
      .end(out);
  });
});
const app = express();
app.use((_req, res, next) => {
  res.setHeader('X-Correlation-Id', 'x');
  next();
});
app.use((_req, res, next) => {
  res.on('finish', () => {});
  next();
});
const router = express.Router();
router.use(
  (_req, _res, next) => next(),
  (_req, _res, next) => next(),
  (_req, _res, next) => next(),
);
router.post('/', express.json({ limit: 1e6, type: () => true }), (req, res) => {
  const out = JSON.stringify({ jsonrpc: '2.0', id: req.body.id, result: {} });
  res
    .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
    .end(out);
});
app.use('/mcp', router);
app.use(helmet());
await measure('express (same middleware shape)', app);
process.exit(0);
