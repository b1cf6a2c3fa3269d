// The request and response classes that spare express its per-request prototype change
// (src/shared/express-shaped-messages.ts; the collector cost it avoids is measured in the module's
// comment and by `npm run bench`'s registry lookups, not here). What a test can hold: requests
// arrive already shaped, express behaves exactly as before, and other express apps are untouched.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { expressShapedMessages } from '../../src/shared/express-shaped-messages.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('express-shaped requests and responses', () => {
  it('arrive with the app’s own prototypes before express sees them, and express works as before', async (t) => {
    const app = express();
    app.set('trust proxy', false);
    app.use(express.json());
    app.get('/items/:id', (req, res) => {
      res.status(201).json({ id: req.params.id, query: req.query, path: req.path, ip: req.ip, xhr: req.xhr });
    });
    app.post('/echo', (req, res) => {
      res.type('text/plain').send(`got ${JSON.stringify(req.body)}`);
    });
    const seen: { request: boolean; response: boolean }[] = [];
    const server = createServer(expressShapedMessages(app), (req: IncomingMessage, res) => {
      seen.push({
        request: Object.getPrototypeOf(req) === app.request,
        response: Object.getPrototypeOf(res) === app.response,
      });
      app(req, res);
    });
    const url = await listen(server);
    t.after(() => server.close());

    const got = await fetch(`${url}/items/7?a=1&b=two`);
    assert.equal(got.status, 201);
    assert.deepEqual(await got.json(), {
      id: '7',
      query: { a: '1', b: 'two' },
      path: '/items/7',
      ip: '127.0.0.1',
      xhr: false,
    });
    const posted = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    assert.equal(posted.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await posted.text(), 'got {"x":1}');
    const missing = await fetch(`${url}/nowhere`);
    assert.equal(missing.status, 404);
    await missing.text();
    assert.deepEqual(seen, [
      { request: true, response: true },
      { request: true, response: true },
      { request: true, response: true },
    ]);
  });

  it('leaves express’s shared prototypes and every other app as they were', () => {
    const shaped = express();
    const before = Object.getOwnPropertyNames(express.request).sort();
    expressShapedMessages(shaped);
    const other = express();
    assert.deepEqual(Object.getOwnPropertyNames(express.request).sort(), before);
    assert.equal(Object.getPrototypeOf(other.request), express.request);
    assert.equal(Object.getPrototypeOf(other.response), express.response);
    assert.equal((other.request as unknown as { app: unknown }).app, other);
    assert.equal((shaped.request as unknown as { app: unknown }).app, shaped);
  });
});
