import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { freePort } from '../helpers/free-port.js';
import { connectClient } from '../helpers/mcp-client.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';
import { api } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Signal 0 checks that a process exists without touching it. */
function hasExited(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** The built `fin-hub --stdio` on a copy of the template database, with pipes to it; killed if a test leaves it running. */
function spawnStdioHub(t: TestContext, logLevel: string, stderr: 'pipe' | 'ignore') {
  const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-stdio-'));
  cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/bin/fin-hub.js'), '--stdio', '--port', '0', '--db', dataDir, '--log-level', logLevel],
    { stdio: ['pipe', 'pipe', stderr] },
  );
  t.after(() => {
    if (!hasExited(child.pid!)) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

describe('the built fin-hub --stdio', () => {
  it('serves MCP on stdout only, sees spokes registered over its HTTP port, and exits when stdin closes', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-stdio-'));
    cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const args = [
      join(ROOT, 'dist/bin/fin-hub.js'),
      '--stdio',
      '--port',
      String(port),
      '--db',
      dataDir,
      '--log-level',
      'warn',
    ];
    if (process.env.FIN_HUB_TEST_DB === 'postgres')
      args.splice(
        args.indexOf('--db') + 1,
        1,
        process.env.TEST_DATABASE_URL!,
        '--db-schema',
        `stdio_${process.pid}`,
      );
    const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const session = await connectClient(t, transport);
    const hubUrl = `http://127.0.0.1:${port}`;
    const spoke = await startTestSpoke(t, { hubUrl, name: 'stdiospoke' });
    await spoke.registration!.registered;
    await waitFor(() => session.listChanged >= 1, 'list_changed over stdio');
    const { tools } = await session.client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'echo'));
    const result = await session.client.callTool({ name: 'echo', arguments: { text: 'over stdio' } });
    assert.deepEqual(result.structuredContent, { text: 'over stdio' });
    assert.equal((await api({ url: hubUrl }, 'GET', '/health')).status, 200);
    // Every stderr line is a JSON log line (nothing but JSON-RPC went to stdout, or the client would have failed).
    for (const line of stderr.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
    const pid = transport.pid!;
    await session.client.close();
    await waitFor(() => hasExited(pid), 'the process to exit after stdin closed', 30_000);
  });

  it('exits quietly when its client dies and takes every pipe with it (stderr included)', async (t) => {
    // Info level: the hub logs on its way out, so writes to the closed stderr are sure to happen.
    const { child, exited } = spawnStdioHub(t, 'info', 'pipe');
    const stderrPipe = child.stderr!;
    let stderr = '';
    await new Promise<void>((resolve) => {
      stderrPipe.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('fin-hub listening')) resolve();
      });
    });
    // What a killed client leaves: every pipe's other end closed at once.
    child.stdout!.destroy();
    stderrPipe.destroy();
    child.stdin!.destroy();
    // Before the fix, logging the EPIPE of a closed stderr wrote to it again, for ever (a core
    // and gigabytes); now the hub stops as when stdin ends.
    assert.equal(await exited, 0);
  });

  it('exits when its client closes stdout while stdin stays open (the answer it writes fails)', async (t) => {
    const { child, exited } = spawnStdioHub(t, 'warn', 'ignore');
    child.stdout!.destroy();
    // stdin stays open: only the failed write of this answer tells the hub its client is gone.
    child.stdin!.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`,
    );
    assert.equal(await exited, 0);
  });

  it('answers initialize before the database is open, and turns a failed start-up into an error for waiting requests', async (t) => {
    // Nothing listens on port 1: the hub's database connection is refused after the front is up.
    const args = [
      join(ROOT, 'dist/bin/fin-hub.js'),
      '--stdio',
      '--no-http',
      '--db',
      'postgres://postgres@127.0.0.1:1/none',
      '--log-level',
      'error',
    ];
    const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const session = await connectClient(t, transport);
    assert.equal(session.client.getServerVersion()?.name, 'fin-hub');
    await assert.rejects(session.client.listTools(), /fin-hub could not start/);
    const pid = transport.pid!;
    await waitFor(() => hasExited(pid), 'the process to exit after its start-up failed', 30_000);
    assert.match(stderr, /start-up failed/);
  });
});
