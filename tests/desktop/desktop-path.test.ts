// The desktop path (issue #15): `fin-hub --stdio --spokes market,risk,portfolio`, as Claude Desktop
// starts it, run from the built package on a fresh home: the first tools/list already holds every
// spoke tool; a second client with the same command gets a database of its own; `kill -9` leaves
// no spoke behind; a restart on the same home replaces its instances instead of adding some.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ENVIRONMENT_NAMING_A_DATABASE } from '../../src/config/early-database.js';
import { REFERENCE_SPOKES } from '../../src/spokes/reference-spokes.js';
import { freePort } from '../helpers/free-port.js';
import { connectClient, withoutHubTools } from '../helpers/mcp-client.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SPOKE_TOOLS = Object.values(REFERENCE_SPOKES).reduce((n, spoke) => n + spoke.tools().length, 0);

/** One desktop client's hub: the Claude Desktop command, with a test home and a given port. */
async function startDesktopHub(t: TestContext, home: string, port: number, spokes = 'market,risk,portfolio') {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(ROOT, 'dist/bin/fin-hub.js'),
      '--stdio',
      '--spokes',
      spokes,
      '--port',
      String(port),
      '--log-level',
      'warn',
    ],
    // A database named in this environment (DATABASE_URL…) would make it another hub than a desktop's.
    env: Object.fromEntries(
      Object.entries({ ...process.env, FIN_HUB_HOME: home }).filter(
        ([name]) => !ENVIRONMENT_NAMING_A_DATABASE.includes(name),
      ),
    ) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const session = await connectClient(t, transport);
  return {
    client: session.client,
    // A getter: the count goes on after this returns (a spread would copy today's value).
    get listChanged() {
      return session.listChanged;
    },
    pid: transport.pid!,
    stderr: () => stderr,
  };
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
    // That first list is the one the last run served (remembered-tool-list.ts): the spokes may still be registering.
    let after: Awaited<ReturnType<typeof spokeInstances>> = [];
    await waitFor(
      // The registry API may not listen yet either.
      async () => {
        after = await spokeInstances(hubUrl).catch(() => []);
        return after.length === 3;
      },
      'the three spokes to register',
    );
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

  it('answers the first tools/list of a warm start with the list the last run served, then says when the live one differs', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'fin-hub-desktop-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const port = await freePort();
    const marketTools = REFERENCE_SPOKES.market
      .tools()
      .map((tool) => tool.name)
      .sort();
    const file = join(home, 'data.tools.json');
    const rememberedNames = () =>
      (JSON.parse(readFileSync(file, 'utf8')) as { tools: { name: string }[] }).tools.map(
        (tool) => tool.name,
      );

    const first = await startDesktopHub(t, home, port, 'market');
    assert.deepEqual(
      withoutHubTools((await first.client.listTools()).tools)
        .map((tool) => tool.name)
        .sort(),
      marketTools,
    );
    await waitFor(
      () => existsSync(file) && rememberedNames().length === marketTools.length,
      'the list to be remembered',
    );
    await first.client.close();
    await waitFor(() => gone(first.pid), 'the hub to exit');
    assert.deepEqual(
      rememberedNames().sort(),
      marketTools,
      'stopping (the spoke leaving) did not overwrite it',
    );

    // A tool only the file knows: the next first tools/list can only have it from there.
    const remembered = JSON.parse(readFileSync(file, 'utf8')) as { tools: { name: string }[] };
    remembered.tools.push({ name: 'remembered_only', inputSchema: { type: 'object' } } as never);
    writeFileSync(file, JSON.stringify(remembered));

    const warm = await startDesktopHub(t, home, port, 'market');
    const firstList = withoutHubTools((await warm.client.listTools()).tools).map((tool) => tool.name);
    assert.ok(firstList.includes('remembered_only'), `served from the file: ${firstList.join(' ')}`);
    await waitFor(() => warm.listChanged > 0, 'list_changed once the live list is known').catch((error) => {
      throw new Error(`${error.message}: ${warm.stderr()}`);
    });
    assert.deepEqual(
      withoutHubTools((await warm.client.listTools()).tools)
        .map((tool) => tool.name)
        .sort(),
      marketTools,
    );
    await waitFor(() => !rememberedNames().includes('remembered_only'), 'the live list to be remembered');
    const quote = await warm.client.callTool({ name: 'stock_quote', arguments: { symbol: 'AAPL' } });
    assert.equal(quote.isError, undefined, JSON.stringify(quote));

    // Another command (other spokes) does not use a list written for this one.
    await warm.client.close();
    await waitFor(() => gone(warm.pid), 'the hub to exit');
    writeFileSync(file, JSON.stringify(remembered));
    const other = await startDesktopHub(t, home, port, 'risk');
    const otherList = withoutHubTools((await other.client.listTools()).tools).map((tool) => tool.name);
    assert.equal(otherList.includes('remembered_only'), false, otherList.join(' '));
    assert.ok(otherList.includes('risk_calculate_var'), otherList.join(' '));
  });
});
