import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openDatabase, resolveDatabaseTarget } from '../../src/db/database.js';
import { createSilentLogger } from '../../src/logger.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/mcp-client.js';
import { TEMPLATE_DIR, TEST_DB, uniqueSchema } from '../helpers/test-database.js';
import { api, registration } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';

const ROOT = new URL('../..', import.meta.url).pathname;

async function runShutdown(t: TestContext, callMs: number, deadlineMs: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-shutdown-'));
  cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = TEST_DB === 'postgres' ? process.env.TEST_DATABASE_URL! : dataDir;
  const schema = uniqueSchema();
  const port = await freePort();
  const hub = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bin/fin-hub.ts'),
      '--port',
      String(port),
      '--db',
      db,
      '--db-schema',
      schema,
      '--log-level',
      'warn',
      '--instance-concurrency',
      '32',
    ],
    {
      env: { ...process.env, FIN_HUB_SHUTDOWN_DEADLINE_MS: String(deadlineMs) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  hub.stderr.on('data', (c) => {
    stderr += c;
  });
  t.after(() => hub.kill('SIGKILL'));
  const exited = new Promise<number | null>((r) => hub.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok === true,
    'the hub',
    30_000,
  );
  const spoke = await startTestSpoke(t);
  const slow = {
    name: 'slow',
    input_schema: { type: 'object', properties: { ms: { type: 'integer' } } },
    retry_attempts: 0,
  };
  assert.equal(
    (
      await api(
        { url },
        'POST',
        '/api/v1/services/register',
        registration('slow-1', 'testspoke', spoke.port, [slow]),
      )
    ).status,
    200,
  );
  const calls = Array.from({ length: 20 }, () =>
    api({ url }, 'POST', '/api/v1/tools/slow/execute', { arguments: { ms: callMs } }),
  );
  await waitFor(() => spoke.log.count('slow') === 20, 'all 20 calls in flight at the spoke');
  hub.kill('SIGTERM');
  const answers = await Promise.all(calls);
  assert.equal(await exited, 0, stderr);
  const database = await openDatabase({
    target: resolveDatabaseTarget(db, dataDir),
    schema,
    logger: createSilentLogger(),
  });
  try {
    const rows = await database.db.selectFrom('tool_executions').select(['status', 'error_data']).execute();
    return { answers, rows };
  } finally {
    if (TEST_DB === 'postgres') await database.db.schema.dropSchema(schema).cascade().execute();
    await database.close();
  }
}

describe('graceful shutdown on SIGTERM', () => {
  it('lets 20 calls in flight finish, writes 20 history rows and exits 0', async (t) => {
    const { answers, rows } = await runShutdown(t, 1500, 10_000);
    assert.deepEqual(
      answers.map((a) => a.body.status),
      Array(20).fill('success'),
    );
    assert.equal(rows.length, 20);
  });

  it('answers calls still running at the deadline with an explicit shutting-down error, and records them', async (t) => {
    const { answers, rows } = await runShutdown(t, 20_000, 500);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body.error.code, 'shutting_down');
    }
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => (r.error_data as { code: string }).code === 'shutting_down'));
  });
});
