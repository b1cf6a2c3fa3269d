// The embedded PostgreSQL's own thread: failures surface as errors, never as a hang, and database
// errors keep their SQLSTATE across the thread boundary (the hub maps 23505 to 409, 08xxx to 503…).
// Independent of TEST_DB: the embedded engine is always available.
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedWorker } from '../../src/db/embedded-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { pgliteSeedDir } from '../../src/db/pglite-settings.js';
import { createSilentLogger } from '../../src/logger.js';
import { TEMPLATE_DIR } from '../helpers/test-database.js';

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

  it('has a seed for the PGlite it runs (built by npm run build; PGlite pinned so an install gets the same)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.match(manifest.dependencies['@electric-sql/pglite'], /^\d+\.\d+\.\d+$/, 'an exact version');
    assert.ok(existsSync(join(pgliteSeedDir(), 'PG_VERSION')), pgliteSeedDir());
  });

  it('refuses a directory that holds other files rather than write a database among them', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fin-hub-user-files-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'thesis.docx'), 'mine');
    const engine = startEmbeddedWorker(dir);
    await assert.rejects(
      engine.waitReady,
      /is not empty and holds no fin-hub database \(found thesis\.docx\)/,
    );
    await engine.close();
    assert.deepEqual(readdirSync(dir), ['thesis.docx'], 'nothing was written there');
  });

  it('refuses a data directory of another PostgreSQL major, saying what to do, and leaves it as it was', async (t) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fin-hub-other-major-')), 'data');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'PG_VERSION'), '15\n');
    const engine = startEmbeddedWorker(dir);
    await assert.rejects(
      engine.waitReady,
      /written by PostgreSQL 15 and this fin-hub embeds PostgreSQL \d+; start the fin-hub release that wrote it, or give --db a new directory/,
    );
    await engine.close();
    assert.equal(readFileSync(join(dir, 'PG_VERSION'), 'utf8'), '15\n');
  });

  it('opens a data directory written by the earlier release (PGlite defaults, initdb) and keeps its rows', async (t) => {
    // The template is made as releases before the tuned settings made theirs: PGlite.create(dir).
    const dir = join(mkdtempSync(join(tmpdir(), 'fin-hub-upgrade-')), 'data');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    const open = () =>
      openDatabase({
        target: { kind: 'embedded', dataDir: dir },
        schema: 'public',
        logger: createSilentLogger(),
      });
    const first = await open();
    await migrateToLatest(first);
    await sql`CREATE TABLE kept (note text)`.execute(first.db);
    await sql`INSERT INTO kept VALUES ('before the restart')`.execute(first.db);
    await first.close();
    const second = await open();
    try {
      const { rows } = await sql<{ note: string }>`SELECT note FROM kept`.execute(second.db);
      assert.deepEqual(rows, [{ note: 'before the restart' }]);
    } finally {
      await second.close();
    }
  });

  it('puts --db memory in a temporary directory that is gone when it closes, and sweeps ones a killed hub left', async () => {
    // What a hub killed with kill -9 leaves: a directory whose lock names a process that is gone.
    const left = mkdtempSync(join(tmpdir(), 'fin-hub-memory-'));
    mkdirSync(join(left, 'base'));
    writeFileSync(`${left}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, since: 'long ago' }));
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(left, longAgo, longAgo);
    const engine = startEmbeddedWorker('memory://');
    await engine.waitReady;
    const dir = engine.dataDir!;
    assert.match(dir, /fin-hub-memory-/);
    assert.ok(existsSync(join(dir, 'PG_VERSION')), 'a database on disk');
    assert.equal(existsSync(left), false, 'the killed hub’s directory was swept');
    assert.equal(existsSync(`${left}.lock`), false, 'and its lock');
    await engine.close();
    assert.equal(existsSync(dir), false, 'the directory is removed on close');
    assert.equal(existsSync(`${dir}.lock`), false, 'and its lock');
  });
});
