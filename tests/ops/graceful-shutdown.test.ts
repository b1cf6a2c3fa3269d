import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openDatabase, resolveDatabaseTarget } from '../../src/db/database.js';
import { createSilentLogger } from '../../src/logger.js';
import { freePort } from '../helpers/free-port.js';
import { TEMPLATE_DIR, TEST_DB, uniqueSchema } from '../helpers/test-database.js';
import { api, registration } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Starts the CLI hub, puts 20 `hold` calls in flight, sends SIGTERM, and — when `releaseAfterSigterm`
 * — lets the calls finish once the hub has begun shutting down. Returns the answers and the history.
 */
async function runShutdown(t: TestContext, releaseAfterSigterm: boolean, deadlineMs: number) {
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
      'info',
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
  const hold = { name: 'hold', input_schema: { type: 'object' }, retry_attempts: 0 };
  assert.equal(
    (
      await api(
        { url },
        'POST',
        '/api/v1/services/register',
        registration('hold-1', 'testspoke', spoke.port, [hold]),
      )
    ).status,
    200,
  );
  const calls = Array.from({ length: 20 }, () =>
    api({ url }, 'POST', '/api/v1/tools/hold/execute', { arguments: {} }),
  );
  await waitFor(() => spoke.held === 20, 'all 20 calls in flight at the spoke');
  hub.kill('SIGTERM');
  if (releaseAfterSigterm) {
    await waitFor(() => stderr.includes('"shutting down"'), 'the hub to begin its shutdown');
    spoke.release();
  }
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
    // The deadline is far away: the calls end when the test releases them, after SIGTERM.
    const { answers, rows } = await runShutdown(t, true, 120_000);
    assert.deepEqual(
      answers.map((a) => a.body.status),
      Array(20).fill('success'),
    );
    assert.equal(rows.length, 20);
  });

  it('answers calls still running at the deadline with an explicit shutting-down error, and records them', async (t) => {
    const { answers, rows } = await runShutdown(t, false, 500);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.body.error.code, 'shutting_down');
    }
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => (r.error_data as { code: string }).code === 'shutting_down'));
  });
});
