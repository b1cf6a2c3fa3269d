// The `fin-hub` command users run is esbuild's bundle in dist/bin/ (scripts/build-bundle.ts), not the
// sources the other tests load through tsx. What a bundle can break — a CommonJS dependency loaded
// with import(), files found next to a module (migrations, the docs page's assets, the dashboard),
// the worker threads' entries — is exercised here through the built command, over real transports.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';
import { api } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const COMMAND = join(ROOT, 'dist/bin/fin-hub.js');

/** The database arguments of this run: a copy of the embedded template, or the PostgreSQL under test. */
function databaseArgs(t: { after: (fn: () => void) => void }, schema: string): string[] {
  if (process.env.FIN_HUB_TEST_DB === 'postgres')
    return ['--db', process.env.TEST_DATABASE_URL!, '--db-schema', `${schema}_${process.pid}`];
  const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-built-'));
  cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  return ['--db', dataDir];
}

/** Starts the built command in HTTP mode on a free port; resolves with its URL once it listens. */
async function startBuiltHub(t: { after: (fn: () => Promise<void>) => void }, args: string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    [COMMAND, 'serve', '--port', '0', '--log-level', 'info', '--log-format', 'json', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = stderr
        .split('\n')
        .filter((line) => line.includes('"fin-hub listening"'))
        .map((line) => JSON.parse(line) as { url: string })[0];
      if (listening) resolve(listening.url);
    });
    child.once('exit', (code) => reject(new Error(`the built fin-hub exited (${code}): ${stderr}`)));
  });
  return url;
}

describe('the built fin-hub command (the bundle in dist/bin)', () => {
  it('federates a third-party server registered by URL alone and calls its tools; serves /docs, the dashboard and /metrics', async (t) => {
    const url = await startBuiltHub(t, databaseArgs(t, 'built'));
    const server = await startEverythingServer(t);
    // Discovery, the era probe and the upstream client are all loaded on demand in the bundle.
    const registered = await api(
      { url },
      'POST',
      '/api/v1/services/register',
      server.registration('everything-built'),
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const { client } = await connectHttp(t, url);
    const result = await client.callTool({ name: 'ev__echo', arguments: { message: 'through the bundle' } });
    assert.match(JSON.stringify(result.content), /through the bundle/);
    // History rows are written in batches: the call's row arrives shortly after its answer.
    await waitFor(
      async () => (await api({ url }, 'GET', '/api/v1/executions?tool=ev__echo')).body.items?.length === 1,
      'the call in the execution history',
    );

    const docs = await fetch(`${url}/docs/`);
    assert.equal(docs.status, 200);
    const swagger = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
    assert.equal(swagger.status, 200, 'the docs page finds swagger-ui-dist from the bundle');
    const dashboard = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    assert.equal(dashboard.status, 200);
    assert.match(await dashboard.text(), /<script[^>]+dashboard\/app\.js/);
    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /fin_hub_tool_calls_total/);
  });

  it('migrates a database with `fin-hub migrate` (migrations are found from the bundle)', (t) => {
    const done = spawnSync(process.execPath, [COMMAND, 'migrate', ...databaseArgs(t, 'built_migrate')], {
      encoding: 'utf8',
    });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stderr, /migrations applied|database already up to date/);
  });
});
