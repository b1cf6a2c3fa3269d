// The embedded PostgreSQL's own thread: failures surface as errors, never as a hang, and database
// errors keep their SQLSTATE across the thread boundary (the hub maps 23505 to 409, 08xxx to 503…).
// Independent of TEST_DB: the embedded engine is always available.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedWorker } from '../../src/db/embedded-database.js';
import { createSilentLogger } from '../../src/logger.js';

describe('the embedded database thread', () => {
  it('reports a data directory it cannot use as a start-up error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fin-hub-bad-')), 'not-a-directory');
    writeFileSync(file, 'x');
    const engine = startEmbeddedWorker(join(file, 'db'));
    await assert.rejects(engine.waitReady, /ENOTDIR|not a directory|did not start|exited/i);
    await engine.close();
  });

  it('keeps the SQLSTATE and message of a database error across the thread, and keeps working after it', async () => {
    const database = await openDatabase({
      target: { kind: 'embedded', dataDir: 'memory' },
      schema: 'public',
      logger: createSilentLogger(),
    });
    try {
      await assert.rejects(
        sql`SELECT 1 / 0`.execute(database.db),
        (error: { code?: string; message?: string }) => {
          assert.equal(error.code, '22012');
          assert.match(String(error.message), /division by zero/);
          return true;
        },
      );
      const { rows } = await sql<{ n: number }>`SELECT 40 + 2 AS n`.execute(database.db);
      assert.equal(rows[0]!.n, 42);
    } finally {
      await database.close();
    }
  });
});
