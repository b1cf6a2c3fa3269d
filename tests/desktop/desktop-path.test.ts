// The desktop path (issue #15): `fin-hub --stdio --spokes market,risk,portfolio`, as Claude Desktop
// starts it, run from the built package on a fresh home: the first tools/list already holds every
// spoke tool; a second client with the same command gets a database of its own; `kill -9` leaves
// no spoke behind; a restart on the same home replaces its instances instead of adding some.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REFERENCE_SPOKES } from '../../src/spokes/reference-spokes.js';
import { freePort } from '../helpers/free-port.js';
import { connectClient, withoutHubTools } from '../helpers/mcp-client.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SPOKE_TOOLS = Object.values(REFERENCE_SPOKES).reduce((n, spoke) => n + spoke.tools().length, 0);

/** One desktop client's hub: the Claude Desktop command, with a test home and a given port. */
async function startDesktopHub(t: TestContext, home: string, port: number) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(ROOT, 'dist/bin/fin-hub.js'),
      '--stdio',
      '--spokes',
      'market,risk,portfolio',
      '--port',
      String(port),
      '--log-level',
      'warn',
    ],
    env: { ...process.env, FIN_HUB_HOME: home } as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const session = await connectClient(t, transport);
  return { ...session, pid: transport.pid!, stderr: () => stderr };
}

/** The URL a stdio hub wrote into its data directory's lock (how outside spokes find it). */
function hubUrlOf(lockFile: string): string {
  return (JSON.parse(readFileSync(lockFile, 'utf8')) as { url: string }).url;
}

async function spokeInstances(hubUrl: string) {
  const response = await fetch(`${hubUrl}/api/v1/services?tag=reference`);
  const body = (await response.json()) as { items: { service_id: string; address: string; port: number }[] };
  return body.items;
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('the desktop path: fin-hub --stdio --spokes market,risk,portfolio', () => {
  it('lists every spoke tool in the first tools/list (first run and warm); kill -9 leaves no spoke serving; a restart replaces its instances', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'fin-hub-desktop-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const port = await freePort();

    const first = await startDesktopHub(t, home, port);
    const listed = withoutHubTools((await first.client.listTools()).tools);
    assert.equal(listed.length, SPOKE_TOOLS, `first run, first tools/list: ${first.stderr()}`);
    const quote = await first.client.callTool({ name: 'stock_quote', arguments: { symbol: 'AAPL' } });
    assert.equal(quote.isError, undefined, JSON.stringify(quote));

    const hubUrl = hubUrlOf(join(home, 'data.lock'));
    assert.equal(hubUrl, `http://127.0.0.1:${port}`);
    const spokes = await spokeInstances(hubUrl);
    assert.equal(spokes.length, 3, JSON.stringify(spokes));
    const spokeHealth = spokes.map((s) => `http://${s.address}:${s.port}/health`);
    for (const url of spokeHealth) assert.equal((await fetch(url)).status, 200, url);

    // kill -9: the spokes run on a thread of the hub's process, so nothing of them survives it.
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => gone(first.pid), 'the hub to die');
    for (const url of spokeHealth)
      await assert.rejects(fetch(url), `nothing serves ${url} after the hub was killed`);

    // Warm, on the same home (its lock left behind by the killed hub is taken over).
    const again = await startDesktopHub(t, home, port);
    assert.equal(withoutHubTools((await again.client.listTools()).tools).length, SPOKE_TOOLS, again.stderr());
    const after = await spokeInstances(hubUrl);
    assert.deepEqual(
      after.map((s) => s.service_id).sort(),
      spokes.map((s) => s.service_id).sort(),
      'the same three instances, re-registered on their new ports',
    );
    await again.client.close();
    await waitFor(() => gone(again.pid), 'the hub to exit after stdin closed');
    assert.equal(existsSync(join(home, 'data.lock')), false, 'a clean exit releases the lock');
  });

  it('serves two clients started with the same command side by side, each on its own database and port', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'fin-hub-desktop-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const port = await freePort();
    const [one, two] = await Promise.all([startDesktopHub(t, home, port), startDesktopHub(t, home, port)]);
    for (const hub of [one, two]) {
      assert.equal(withoutHubTools((await hub.client.listTools()).tools).length, SPOKE_TOOLS, hub.stderr());
      const result = await hub.client.callTool({ name: 'risk_calculate_var', arguments: { symbol: 'AAPL' } });
      assert.equal(result.isError, undefined, JSON.stringify(result));
    }
    // One took the default directory and the port asked for; the other a spare of each.
    const urls = [hubUrlOf(join(home, 'data.lock')), hubUrlOf(join(home, 'data-2.lock'))];
    assert.equal(new Set(urls).size, 2, urls.join(' '));
    assert.ok(urls.includes(`http://127.0.0.1:${port}`), urls.join(' '));
    for (const url of urls) assert.equal((await spokeInstances(url)).length, 3, url);
    await Promise.all([one.client.close(), two.client.close()]);
    await waitFor(() => gone(one.pid) && gone(two.pid), 'both hubs to exit');
  });
});
