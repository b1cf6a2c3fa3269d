import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../helpers/free-port.js';
import { connectClient } from '../helpers/mcp-client.js';
import { connectModernHttp } from '../helpers/modern-client.js';
import { dropSchema, TEST_DB, uniqueSchema } from '../helpers/test-database.js';
import { registration } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

// Several hubs share a registry only on PostgreSQL (SPEC §9): this file runs in the PostgreSQL pass.
assert.equal(TEST_DB, 'postgres', 'tests/postgres/ runs against PostgreSQL only');

const ROOT = new URL('../..', import.meta.url).pathname;
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => {
  try {
    execFileSync(path, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

async function answers(url: string): Promise<boolean> {
  return fetch(url).then(
    (res) => res.ok,
    () => false,
  );
}

/** The built hub as its own process (so it can be killed with SIGKILL), on the shared schema. */
async function startHubProcess(t: TestContext, port: number, prefix: string, schema: string) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist/bin/fin-hub.js'),
      'serve',
      '--port',
      String(port),
      '--db',
      process.env.TEST_DATABASE_URL!,
      '--db-schema',
      schema,
      '--session-prefix',
      prefix,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  t.after(() => child.kill('SIGKILL'));
  await waitFor(() => answers(`http://127.0.0.1:${port}/health`), `the hub on ${port}`, 60_000);
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('two hubs behind nginx round robin (deploy/nginx/fin-hub.conf)', () => {
  it('a 2026-07-28 client’s calls alternate between the hubs and all succeed, also while one is killed and restarted; a handshake-era session stays on its hub', async (t) => {
    assert.ok(NGINX, 'nginx is installed (.ci/run installs it)');
    const schema = uniqueSchema();
    t.after(() => dropSchema(schema));
    const [portA, portB, portProxy] = [await freePort(), await freePort(), await freePort()];
    let hubA = await startHubProcess(t, portA, 'hub-a-', schema);
    await startHubProcess(t, portB, 'hub-b-', schema);

    // The shipped configuration, with this test's ports, inside a minimal nginx main context.
    const dir = mkdtempSync(join(tmpdir(), 'fin-hub-nginx-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
    const shipped = readFileSync(join(ROOT, 'deploy/nginx/fin-hub.conf'), 'utf8');
    const site = shipped
      .replaceAll('127.0.0.1:8001', `127.0.0.1:${portA}`)
      .replaceAll('127.0.0.1:8002', `127.0.0.1:${portB}`)
      .replace('listen 8080;', `listen 127.0.0.1:${portProxy};`);
    assert.notEqual(site, shipped);
    writeFileSync(join(dir, 'fin-hub.conf'), site);
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        `  log_format upstream '$upstream_addr $http_mcp_method $http_mcp_session_id';`,
        `  access_log ${dir}/access.log upstream;`,
        `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;`,
        `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
        `  include ${dir}/fin-hub.conf;`,
        '}',
      ].join('\n'),
    );
    const nginx = spawn(NGINX!, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
    // SIGTERM, not SIGKILL: nginx's master stops its workers (killed, it would leave them behind).
    t.after(async () => {
      if (nginx.exitCode !== null || nginx.signalCode !== null) return;
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    });
    const proxy = `http://127.0.0.1:${portProxy}`;
    await waitFor(() => answers(`${proxy}/health`), 'nginx');
    const upstreamsOf = (method: string) =>
      readFileSync(join(dir, 'access.log'), 'utf8')
        .split('\n')
        .filter((line) => line.includes(` ${method}`))
        .map((line) => line.split(' ')[0]!);

    const spoke = await startTestSpoke(t);
    const registered = await fetch(`${proxy}/api/v1/services/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration('rr-1', 'rr', spoke.port, ['echo'])),
    });
    assert.equal(registered.status, 200);
    const bothKnowIt = async () =>
      (await fetch(`http://127.0.0.1:${portA}/api/v1/tools/echo`)).ok &&
      (await fetch(`http://127.0.0.1:${portB}/api/v1/tools/echo`)).ok;
    await waitFor(bothKnowIt, 'both hubs route echo');

    const modern = await connectModernHttp(t, proxy, { listen: false });
    assert.equal(modern.client.getProtocolEra(), 'modern');
    let calls = 0;
    const call = async () => {
      const result = await modern.client.callTool({ name: 'echo', arguments: { text: `call ${++calls}` } });
      assert.deepEqual(result.structuredContent, { text: `call ${calls}` });
    };
    for (let i = 0; i < 6; i++) await call();
    const before = new Set(upstreamsOf('tools/call'));
    assert.deepEqual([...before].sort(), [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`].sort());

    // Hub A dies: every call still succeeds (nginx skips a hub that refuses connections).
    await killed(hubA);
    for (let i = 0; i < 6; i++) await call();
    // Hub A comes back on its port: calls reach it again.
    hubA = await startHubProcess(t, portA, 'hub-a-', schema);
    const reachedA = () => upstreamsOf('tools/call').filter((u) => u === `127.0.0.1:${portA}`).length;
    const reachedBeforeRestart = reachedA();
    await waitFor(async () => {
      await call();
      return reachedA() > reachedBeforeRestart;
    }, 'a call served by the restarted hub');

    // A handshake-era client: every request of its session goes to the hub that minted it.
    const legacy = await connectClient(t, new StreamableHTTPClientTransport(new URL(`${proxy}/mcp`)));
    for (let i = 0; i < 4; i++) {
      const result = await legacy.client.callTool({ name: 'echo', arguments: { text: `legacy ${i}` } });
      assert.deepEqual(result.structuredContent, { text: `legacy ${i}` });
    }
    const lines = readFileSync(join(dir, 'access.log'), 'utf8').split('\n');
    const sessionLines = lines.filter((line) => /hub-[ab]-/.test(line.split(' ')[2] ?? ''));
    assert.ok(sessionLines.length >= 4);
    const prefix = sessionLines[0]!.split(' ')[2]!.slice(0, 6);
    const expected = prefix === 'hub-a-' ? `127.0.0.1:${portA}` : `127.0.0.1:${portB}`;
    for (const line of sessionLines) assert.equal(line.split(' ')[0], expected, line);
  });
});
