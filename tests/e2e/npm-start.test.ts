import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { connectHttp, listAllTools } from '../helpers/mcp-client.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('the whole system (what npm start runs)', () => {
  it('brings up the hub and three spokes; a stopped spoke takes its tools away and its restart brings them back', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-start-'));
    cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
    const port = await freePort();
    // The same command as `npm start`, on a free port, with the spokes on free ports too.
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
      {
        env: { ...process.env, FIN_HUB_SPOKE_PORT: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
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
      async () => (await listAllTools(session.client)).length === 20,
      'all 20 spoke tools',
      40_000,
    ).catch((error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    const quote = await session.client.callTool({ name: 'stock_quote', arguments: { symbol: 'AAPL' } });
    assert.match((quote.content as { text: string }[])[0]!.text, /observablehq/);

    const before = session.listChanged;
    const pid = Number(
      execFileSync('pgrep', ['-f', `spoke risk --hub-url ${url}`])
        .toString()
        .trim()
        .split('\n')[0],
    );
    process.kill(pid, 'SIGTERM');
    await waitFor(
      async () => !(await listAllTools(session.client)).includes('risk_calculate_var'),
      'risk tools to go',
    );
    await waitFor(() => session.listChanged > before, 'list_changed announcing the removal');
    await waitFor(
      async () => (await listAllTools(session.client)).includes('risk_calculate_var'),
      'the supervisor to restart the risk spoke',
      30_000,
    );

    hub.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});
