// The history insert on the embedded database, by batch size: `tsx bench/history-insert.ts [rows…]`
// (default 30 200 1000). µs per row of the hub's own statement (execution-repository.ts), one
// batch after another, as the history writer sends them. Measured: 110–160 µs a row in batches of
// 30 — what the writer sent under load when it chased every row — against 60–85 in batches of 200.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { ExecutionRecord } from '../src/execution/execution-record.js';
import { createExecutionRepository } from '../src/execution/execution-repository.js';
import { createSilentLogger } from '../src/logger.js';

const sizes = process.argv.slice(2).map(Number);
const ROWS = 12_000;
const dir = mkdtempSync(join(tmpdir(), 'fin-hub-history-insert-'));
const database = await openDatabase({
  target: { kind: 'embedded', dataDir: join(dir, 'db') },
  schema: 'public',
  logger: createSilentLogger(),
});
await migrateToLatest(database);
const history = createExecutionRepository(database.db);

/** A row like the bench's echo calls leave. */
const record = (): ExecutionRecord => ({
  execution_id: randomUUID(),
  correlation_id: randomUUID(),
  tool_id: 'p_echo',
  service_id: 'p-1',
  service_name: 'p',
  status: 'success',
  arguments: { text: 'x' },
  result: { content: [{ type: 'text', text: 'x' }] },
  error: null,
  attempts: 1,
  started_at: new Date(),
  completed_at: new Date(),
  duration_ms: 1.2,
  user_agent: 'bench',
  ip_address: '127.0.0.1',
});

for (const size of sizes.length > 0 ? sizes : [30, 200, 1000]) {
  // Warm-up: the statement's first runs compile PGlite's code paths.
  for (let i = 0; i < 5; i++) await history.insertBatch(Array.from({ length: size }, record));
  const batches = Math.ceil(ROWS / size);
  const started = performance.now();
  for (let i = 0; i < batches; i++) await history.insertBatch(Array.from({ length: size }, record));
  const perRow = ((performance.now() - started) * 1000) / (batches * size);
  process.stderr.write(`batches of ${size}: ${perRow.toFixed(0)} µs per row\n`);
}
await database.close();
rmSync(dir, { recursive: true, force: true });
