import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateMessageRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

const require = createRequire(import.meta.url);
const FILESYSTEM_SERVER = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const EVERYTHING_SERVER = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const HOLD_SERVER = new URL('../fixtures/hold-stdio-server.ts', import.meta.url).pathname;

// `any`: the SDK types a call result as a union with task results.
const text = (result: any) => (result.content as { text: string }[])[0]!.text;

/** The pids of this process's children running `needle` (the stdio services a test hub launched). */
function childrenRunning(needle: string): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe(`MCP servers over stdio and HTTP+SSE, on the ${TEST_DB} database`, () => {
  it('launches server-filesystem from the config file, lists and reads files through the hub, and restarts it when it dies', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fin-hub-fs-'));
    writeFileSync(join(dir, 'hello.txt'), 'hello from a stdio server\n');
    const hub = await startTestHub(t, {
      services: [{ name: 'files', command: process.execPath, args: [FILESYSTEM_SERVER, dir] }],
    });
    // Registered before the hub served: the first tools/list has its tools.
    const service = (await api(hub, 'GET', '/api/v1/services/stdio-files')).body;
    assert.equal(service.mcp_url, 'stdio:files');
    assert.ok(service.tags.includes('stdio'));
    const { client } = await connectHttp(t, hub.url!);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    for (const name of ['read_text_file', 'list_directory']) assert.ok(names.includes(name), name);
    assert.match(
      text(await client.callTool({ name: 'list_directory', arguments: { path: dir } })),
      /hello\.txt/,
    );
    assert.equal(
      text(await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'hello.txt') } })),
      'hello from a stdio server\n',
    );

    // Killed: the next health checks start it again (after a short backoff), and calls work again.
    const [pid] = childrenRunning(FILESYSTEM_SERVER);
    assert.ok(pid, 'the service runs as a child of the hub');
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => {
      await hub.health.checkNow('stdio-files');
      const now = childrenRunning(FILESYSTEM_SERVER);
      return now.length === 1 && now[0] !== pid && hub.routing.getTool('list_directory') !== undefined;
    }, 'a new server-filesystem process, its instance healthy');
    assert.match(
      text(await client.callTool({ name: 'list_directory', arguments: { path: dir } })),
      /hello\.txt/,
    );
  });

  it('federates a 2024-11-05 server that speaks HTTP+SSE, registered by its URL', async (t) => {
    const hub = await startTestHub(t);
    const sse = await startEverythingServer(t, { transport: 'sse' });
    const res = await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'everything-sse',
      service_name: 'everything-sse',
      address: '127.0.0.1',
      port: sse.port,
      mcp_url: sse.mcpUrl,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { client } = await connectHttp(t, hub.url!);
    assert.equal(
      text(await client.callTool({ name: 'echo', arguments: { message: 'over sse' } })),
      'Echo: over sse',
    );
    await hub.health.checkNow('everything-sse');
    assert.equal((await api(hub, 'GET', '/api/v1/services/everything-sse')).body.is_healthy, true);
  });

  it('writes a stdio server’s stderr to the hub’s log, and relays its progress and a cancellation', async (t) => {
    const logger = createCaptureLogger();
    const hub = await startTestHub(
      t,
      {
        logLevel: 'info',
        services: [{ name: 'every', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }],
      },
      { logger },
    );
    // server-everything says on stderr that it runs; the hub logs each line with the service's name.
    await waitFor(
      () => logger.lines.some((line) => /"stdio_service":"every"/.test(line) && /stdio/i.test(line)),
      'a stderr line of the stdio server in the hub log',
    );
    const { client } = await connectHttp(t, hub.url!);
    const progress: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (p) => void progress.push(p.progress) },
    );
    assert.deepEqual(progress, [1, 2, 3], 'each step’s progress through the hub');

    const stop = new AbortController();
    const cancelled = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 600, steps: 600 } },
      undefined,
      { signal: stop.signal, onprogress: () => stop.abort() },
    );
    await assert.rejects(cancelled, /abort/i);
    await waitFor(async () => {
      await hub.history.drain();
      const rows = (await api(hub, 'GET', '/api/v1/executions?tool=trigger-long-running-operation')).body
        .items as {
        status: string;
      }[];
      return rows.some((row) => row.status === 'cancelled');
    }, 'the cancelled call in the history');
  });

  it('passes a caller’s cancellation on to the stdio server, which stops the call', async (t) => {
    const logger = createCaptureLogger();
    const hub = await startTestHub(
      t,
      {
        logLevel: 'info',
        services: [{ name: 'holder', command: process.execPath, args: ['--import', 'tsx', HOLD_SERVER] }],
      },
      { logger },
    );
    const stderrSaid = (words: string) =>
      logger.lines.some((line) => /"stdio_service":"holder"/.test(line) && line.includes(words));
    const { client } = await connectHttp(t, hub.url!);
    // A slow start (tsx) on a loaded machine may need the config service's retry.
    await waitFor(
      async () => (await client.listTools()).tools.some((tool) => tool.name === 'hold'),
      'the stdio server’s tool in the catalogue',
    );
    const stop = new AbortController();
    const cancelled = client.callTool({ name: 'hold', arguments: {} }, undefined, { signal: stop.signal });
    await waitFor(() => stderrSaid('hold started'), 'the call running in the stdio server');
    stop.abort();
    await assert.rejects(cancelled, /abort/i);
    // The hub's SDK client sent notifications/cancelled down the pipe: the server's own signal fired.
    await waitFor(() => stderrSaid('hold cancelled'), 'the stdio server to see the cancellation');
    await waitFor(async () => {
      await hub.history.drain();
      const rows = (await api(hub, 'GET', '/api/v1/executions?tool=hold')).body.items as { status: string }[];
      return rows[0]?.status === 'cancelled';
    }, 'the history row of the cancelled call');
  });

  it('relays a stdio server’s sampling and roots requests during a call to the caller', async (t) => {
    const hub = await startTestHub(t, {
      services: [{ name: 'asking', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] }],
    });
    const { client } = await connectHttp(t, hub.url!, { sampling: {}, roots: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}` },
    }));
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: [{ uri: 'file:///srv/reports', name: 'reports' }],
    }));
    const sampled = await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'what is VaR?', maxTokens: 20 },
    });
    assert.notEqual(sampled.isError, true, JSON.stringify(sampled.content));
    assert.match(JSON.stringify(sampled.content), /sampled: .*what is VaR\?/);
    const roots = await client.callTool({ name: 'get-roots-list', arguments: {} });
    assert.match(JSON.stringify(roots.content), /file:\/\/\/srv\/reports/);
  });
});
