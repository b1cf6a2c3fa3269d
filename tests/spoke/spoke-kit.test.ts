import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createSilentLogger } from '../../src/logger.js';
import { startSpoke } from '../../src/spoke/create-spoke.js';
import { defineTool, jsonResult } from '../../src/spoke/spoke-tool.js';
import { freePort } from '../helpers/free-port.js';
import { connectModernHttp } from '../helpers/modern-client.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const hello = defineTool({
  name: 'hello',
  description: 'Says hello',
  inputSchema: { who: z.string() },
  annotations: { readOnlyHint: true },
  handler: ({ who }) => jsonResult({ greeting: `hello ${who}` }),
});

describe('spoke kit', () => {
  it('serves the handshake era by default, and both protocol eras or 2026-07-28 alone when told', async (t) => {
    const spokeOf = async (eras?: 'both' | 'modern') => {
      const spoke = await startSpoke({ name: 'eras', tools: [hello], eras, logger: createSilentLogger() });
      t.after(() => spoke.close());
      return spoke;
    };
    const greet = async (client: Awaited<ReturnType<typeof connectModernHttp>>['client']) =>
      (await client.callTool({ name: 'hello', arguments: { who: 'ada' } })).structuredContent;

    // By default the handshake era: a negotiating client falls back to initialize and gets a session.
    const old = await spokeOf();
    const fallback = await connectModernHttp(t, old.url, { listen: false });
    assert.equal(fallback.client.getProtocolEra(), 'legacy');
    assert.deepEqual(await greet(fallback.client), { greeting: 'hello ada' });
    assert.equal(old.sessions, 1);

    // Both: a negotiating client gets 2026-07-28 (no session), a pinned one a session.
    const both = await spokeOf('both');
    const modern = await connectModernHttp(t, both.url, { listen: false });
    assert.equal(modern.client.getProtocolEra(), 'modern');
    assert.deepEqual(await greet(modern.client), { greeting: 'hello ada' });
    assert.equal(both.sessions, 0, 'a 2026-07-28 call needs no session');
    const legacy = await connectModernHttp(t, both.url, { mode: 'legacy', listen: false });
    assert.equal(legacy.client.getProtocolEra(), 'legacy');
    assert.deepEqual(await greet(legacy.client), { greeting: 'hello ada' });
    assert.equal(both.sessions, 1);

    // 2026-07-28 only: the handshake is refused with the supported revisions named.
    const strict = await spokeOf('modern');
    const refused = await fetch(`${strict.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    const answer = (await refused.json()) as { error: { code: number; data?: { supported?: string[] } } };
    assert.equal(answer.error.code, -32022);
    assert.ok(answer.error.data?.supported?.includes('2026-07-28'));
    const negotiated = await connectModernHttp(t, strict.url, { listen: false });
    assert.deepEqual(await greet(negotiated.client), { greeting: 'hello ada' });
    assert.equal(strict.sessions, 0);
  });

  it('a spoke started before the hub registers once the hub is up', async (t) => {
    const port = await freePort();
    const spoke = await startSpoke({
      name: 'early',
      tools: [hello],
      hubUrl: `http://127.0.0.1:${port}`,
      logger: createSilentLogger(),
    });
    t.after(() => spoke.close());
    // The hub is not there yet: the spoke keeps trying.
    await waitFor(() => spoke.registration!.failedAttempts >= 2, 'two refused registration attempts');
    assert.equal(spoke.registration!.registrations, 0);
    const hub = await startTestHub(t, { port });
    await spoke.registration!.registered;
    await waitFor(() => Boolean(hub.routing.getTool('hello')), 'the tool in the hub');
  });

  it('registers again within one heartbeat after the hub forgot it', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startSpoke({
      name: 'beater',
      tools: [hello],
      hubUrl: hub.url,
      ttlSeconds: 5,
      logger: createSilentLogger(),
    });
    t.after(() => spoke.close());
    await spoke.registration!.registered;
    // The hub forgets it (as a restarted hub on a fresh database, or a TTL expiry, would).
    assert.equal(
      (await api(hub, 'POST', `/api/v1/services/beater-127.0.0.1-${spoke.port}/deregister`)).status,
      200,
    );
    assert.equal(hub.routing.getTool('hello'), undefined);
    await waitFor(() => spoke.registration!.registrations === 2, 're-registration after a 404 heartbeat');
    assert.ok(hub.routing.getTool('hello'));
  });

  it('a reference spoke process deregisters on SIGTERM', async (t) => {
    const hub = await startTestHub(t);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${ROOT}bin/fin-hub.ts`,
        'spoke',
        'portfolio',
        '--port',
        '0',
        '--hub-url',
        hub.url!,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    t.after(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    await waitFor(
      () => Boolean(hub.routing.getTool('portfolio_optimize')),
      'the portfolio spoke to register',
      20_000,
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(
      hub.routing.getTool('portfolio_optimize') === undefined,
      true,
      `deregistered before exiting: ${stderr}`,
    );
    const page = await api(hub, 'GET', '/api/v1/services?name=portfolio&active=false');
    assert.equal(page.body.items.length, 1);
  });
});
