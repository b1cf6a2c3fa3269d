import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REFERENCE_SPOKES } from '../../src/spokes/reference-spokes.js';
import { freePort } from '../helpers/free-port.js';
import { connectHttp, listAllTools } from '../helpers/mcp-client.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SPOKE_TOOLS = Object.values(REFERENCE_SPOKES).reduce((n, spoke) => n + spoke.tools().length, 0);

describe('the whole system (what npm start runs)', () => {
  it('brings up the hub and three spokes; a spoke the registry lost takes its tools away and comes back by itself', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-start-'));
    cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
    const port = await freePort();
    // The same command as `npm start`, on a free port (the spokes always take free ports).
    const hub = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'bin/fin-hub.ts'),
        'serve',
        '--spokes',
        'market,risk,portfolio',
        '--port',
        String(port),
        '--db',
        dataDir,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Drain stderr (the spokes inherit it): a full pipe would block their logging.
    let stderr = '';
    hub.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const exited = new Promise<number | null>((r) => hub.on('exit', (code) => r(code)));
    t.after(() => {
      hub.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok === true,
      'the hub',
      30_000,
    );
    const session = await connectHttp(t, url);
    await waitFor(
      async () => (await listAllTools(session.client)).length === SPOKE_TOOLS,
      `all ${SPOKE_TOOLS} spoke tools`,
      40_000,
    ).catch((error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    const quote = await session.client.callTool({ name: 'stock_quote', arguments: { symbol: 'AAPL' } });
    assert.match((quote.content as { text: string }[])[0]!.text, /observablehq/);

    // A spoke the registry lost (an operator deregistered it here; an expired TTL does the same)
    // takes its tools away; the spoke's next heartbeat is refused and it registers again.
    const before = session.listChanged;
    const risk = (await (await fetch(`${url}/api/v1/services?name=risk`)).json()) as {
      items: { service_id: string }[];
    };
    assert.equal(risk.items.length, 1, JSON.stringify(risk));
    const deregistered = await fetch(`${url}/api/v1/services/${risk.items[0]!.service_id}/deregister`, {
      method: 'POST',
    });
    assert.equal(deregistered.status, 200, await deregistered.text());
    await waitFor(
      async () => !(await listAllTools(session.client)).includes('risk_calculate_var'),
      'risk tools to go',
    );
    await waitFor(() => session.listChanged > before, 'list_changed announcing the removal');
    await waitFor(
      async () => (await listAllTools(session.client)).includes('risk_calculate_var'),
      'the risk spoke to register again at its next heartbeat',
      30_000,
    );

    hub.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});
