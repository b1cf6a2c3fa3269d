// Failure injection: two hubs on one embedded data directory. The second is refused with a clear
// message while the first runs; the first keeps everything it acknowledged; a lock left by a
// killed hub does not block the next start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';
import { api, registration } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;

async function startCliHub(t: TestContext, dataDir: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/bin/fin-hub.js'), '--port', String(port), '--db', dataDir, '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  return { child, url: `http://127.0.0.1:${port}`, exited, stderr: () => stderr };
}

const up = (url: string) => async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok === true;

describe('two hubs on one embedded data directory', () => {
  it('refuses the second with a message naming the first, and loses nothing the first acknowledged', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-lock-'));
    rmSync(dataDir, { recursive: true });
    cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    t.after(() => rmSync(`${dataDir}.lock`, { force: true }));

    const first = await startCliHub(t, dataDir);
    await waitFor(up(first.url), 'the first hub');
    const registered = await api(
      first,
      'POST',
      '/api/v1/services/register',
      registration('kept-1', 'kept', 9, ['kept_tool']),
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));

    const second = await startCliHub(t, dataDir);
    assert.notEqual(await second.exited, 0, `the second hub exits: ${second.stderr()}`);
    assert.match(second.stderr(), new RegExp(`in use by another fin-hub \\(pid ${first.child.pid}`));
    assert.ok(await up(first.url)(), 'the first hub is undisturbed');

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr());
    assert.equal(existsSync(`${dataDir}.lock`), false, 'the lock is released on a clean exit');

    // A hub killed outright leaves its lock behind; the next start takes it over.
    const killed = await startCliHub(t, dataDir);
    await waitFor(up(killed.url), 'the hub that will be killed');
    killed.child.kill('SIGKILL');
    await killed.exited;
    assert.equal(existsSync(`${dataDir}.lock`), true, 'a killed hub leaves its lock');
    const third = await startCliHub(t, dataDir);
    await waitFor(up(third.url), 'a hub after a stale lock');
    const kept = await api(third, 'GET', '/api/v1/services/kept-1');
    assert.equal(kept.status, 200, 'the registration the first hub acknowledged is there');
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0, third.stderr());
  });
});
