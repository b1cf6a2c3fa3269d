import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createGuardedFetch } from '../../src/shared/guarded-fetch.js';
import { ADDRESS_NOT_ALLOWED, classifyAddress, createSsrfGuard } from '../../src/shared/ssrf-guard.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';

const HOSTILE = [
  'http://169.254.169.254/latest/meta-data/',
  'http://2852039166/',
  'http://0xA9FEA9FE/',
  'http://0251.0376.0251.0376/',
  'http://169.254.169.254.:80/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[fd00:ec2::254]/',
  'http://metadata.internal.test/',
  'http://224.0.0.1/',
  'http://[ff02::1]/',
  'http://0.0.0.0:8080/',
  'http://[::]/',
  'http://[fe80::1]/',
  'http://100.100.100.200/',
  'file:///etc/passwd',
  'http://user:secret@127.0.0.1:8001/mcp',
  // IPv6 forms that embed the metadata address (IPv4-compatible, NAT64, IPv4-translated, 6to4, Teredo).
  'http://[::a9fe:a9fe]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[::ffff:0:a9fe:a9fe]/',
  'http://[64:ff9b:1::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://[2001:0:4136:e378:8000:63bf:5601:5601]/',
  'http://metadata6.internal.test/',
];

describe('SSRF guard', () => {
  const guard = createSsrfGuard(
    { allowLoopback: true, allowPrivate: true, allowPublic: true },
    async (host) =>
      host === 'metadata.internal.test'
        ? ['169.254.169.254']
        : host === 'metadata6.internal.test'
          ? ['::1', '64:ff9b::a9fe:a9fe']
          : host === 'spoke.internal.test'
            ? ['10.0.0.7']
            : [],
  );

  it(`refuses ${HOSTILE.length} hostile URLs in every spelling, including through DNS`, async () => {
    for (const url of HOSTILE) await assert.rejects(guard.check(url, 'mcp_url'), /mcp_url/, url);
  });

  it('allows loopback and private spokes by default and follows the allow-list', async () => {
    await guard.check('http://127.0.0.1:8001/mcp', 'mcp_url');
    await guard.check('http://[::1]:8001/mcp', 'mcp_url');
    await guard.check('http://spoke.internal.test:8001/mcp', 'mcp_url');
    const strict = createSsrfGuard(
      { allowLoopback: false, allowPrivate: false, allowPublic: true },
      async () => ['10.0.0.7'],
    );
    await assert.rejects(
      strict.check('http://127.0.0.1/', 'address'),
      /loopback address 127.0.0.1 is not allowed/,
    );
    await assert.rejects(strict.check('http://spoke.internal.test/', 'address'), /private address 10.0.0.7/);
    assert.equal(classifyAddress('::ffff:10.1.2.3'), 'private');
    assert.equal(classifyAddress('8.8.8.8'), 'public');
    // Embedded private and loopback addresses keep their class in every IPv6 spelling; ::1 stays loopback.
    assert.equal(classifyAddress('::1'), 'loopback');
    assert.equal(classifyAddress('64:ff9b::7f00:1'), 'loopback');
    assert.equal(classifyAddress('::ffff:0:10.1.2.3'), 'private');
    assert.equal(classifyAddress('2001:db8::1'), 'public');
  });

  it('refuses hostile addresses at registration with 400, naming the field', async (t) => {
    const hub = await startTestHub(t);
    for (const [extra, field] of [
      [{ address: '169.254.169.254' }, 'address'],
      [{ mcp_url: 'http://[::ffff:169.254.169.254]:80/mcp' }, 'mcp_url'],
      [{ health_check: { http: 'http://0xA9FEA9FE/health' } }, 'health_check.http'],
      [{ address: '224.0.0.1' }, 'address'],
    ] as const) {
      const res = await api(hub, 'POST', '/api/v1/services/register', {
        ...registration('ssrf-1', 'ssrf', 9000, ['ssrf_tool']),
        ...extra,
      });
      assert.equal(res.status, 400, JSON.stringify(extra));
      assert.equal(res.body.error.code, 'address_not_allowed');
      assert.equal(res.body.error.details[0].path, field);
    }
    assert.equal((await api(hub, 'GET', '/api/v1/services/ssrf-1')).status, 404, 'nothing was stored');
  });

  it('does not follow a health-check redirect', async (t) => {
    let followed = 0;
    const target = createServer((_req, res) => {
      followed++;
      res.end('ok');
    });
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/` }).end();
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    t.after(() => {
      target.close();
      redirector.close();
    });
    const hub = await startTestHub(t);
    const port = (redirector.address() as AddressInfo).port;
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('redir-1', 'redir', port, ['redir_tool'], {
        health_check: { http: `http://127.0.0.1:${port}/health` },
      }),
    );
    await hub.health.checkNow('redir-1');
    const service = await api(hub, 'GET', '/api/v1/services/redir-1');
    assert.match(service.body.last_failure_reason, /HTTP 302/);
    assert.equal(followed, 0);
  });

  it('checks the address actually connected to: a name that rebinds to the metadata address after the check is refused at connect', async (t) => {
    let answers = ['127.0.0.1'];
    const rebinding = createSsrfGuard(
      { allowLoopback: true, allowPrivate: true, allowPublic: true },
      async (host) => (host === 'rebind.test' ? answers : []),
    );
    let requests = 0;
    // Every answer closes its connection, so that the second request needs a new one (and a lookup).
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { connection: 'close' }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://rebind.test:${(server.address() as AddressInfo).port}/`;
    await rebinding.check(url, 'mcp_url'); // what registration checks
    const guardedFetch = createGuardedFetch(rebinding.lookup);
    assert.equal(await (await guardedFetch(url)).text(), 'ok');
    // The name now answers with the metadata address; the guarded connection never reaches it.
    answers = ['169.254.169.254'];
    const refused = await guardedFetch(
      `http://rebind.test:${(server.address() as AddressInfo).port}/again`,
    ).catch((error: Error & { cause?: { code?: string } }) => error);
    assert.ok(refused instanceof Error, 'the request failed');
    assert.equal((refused as Error & { cause?: { code?: string } }).cause?.code, ADDRESS_NOT_ALLOWED);
    assert.equal(requests, 1);
  });
});
