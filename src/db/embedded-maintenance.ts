import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { Database } from './tables.js';

/**
 * What autovacuum does on a PostgreSQL server, for the embedded one (PGlite runs no background
 * workers): fresh planner statistics soon after the registry changes — without them a catalogue
 * query over 100,000 tools was planned as a full join and sort (98 ms instead of under 1 ms) — and
 * a periodic VACUUM of the tables rewritten in place (health state, tool statistics).
 */
export function startEmbeddedMaintenance(options: {
  db: Kysely<Database>;
  logger: Logger;
  /** How often to look for registry changes, in ms. */
  checkMs?: number;
  /** How often to vacuum, in ms. */
  vacuumMs?: number;
}) {
  const { db, logger } = options;
  let changed = false;
  let running: Promise<void> | undefined;
  let lastVacuum = Date.now();
  const completed = { analyze: 0, vacuum: 0 };
  const vacuumMs = options.vacuumMs ?? 5 * 60_000;

  const run = (statement: string, kind: keyof typeof completed) => {
    running ??= sql
      .raw(statement)
      .execute(db)
      .then(
        () => {
          completed[kind]++;
        },
        (error: unknown) =>
          logger.warn('embedded database maintenance failed', { statement, error: String(error) }),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => {
    if (running !== undefined) return;
    if (Date.now() - lastVacuum >= vacuumMs) {
      lastVacuum = Date.now();
      changed = false;
      // Not tool_executions: it only ever grows by INSERT (nothing to reclaim), and vacuuming a
      // large history would hold the single embedded connection for seconds.
      void run('VACUUM (ANALYZE) services, tools', 'vacuum');
    } else if (changed) {
      changed = false;
      void run('ANALYZE services, tools', 'analyze');
    }
  }, options.checkMs ?? 2000);
  timer.unref();

  return {
    /** The registry changed: statistics are refreshed at the next check. */
    noteChange(): void {
      changed = true;
    },
    /** Statements that completed (observability, and tests that wait for a run). */
    get completed(): Readonly<typeof completed> {
      return completed;
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
