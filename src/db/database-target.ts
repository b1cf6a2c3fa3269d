import type { PGlite } from '@electric-sql/pglite';
import type { EmbeddedEngine } from './embedded-database.js';

/** Where the data lives: a PostgreSQL server, or the embedded PostgreSQL (PGlite). */
export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'embedded'; dataDir: string | 'memory' }
  /**
   * An embedded database already started (tests share one per process; the CLI starts it before
   * loading the rest of the hub). `owned`: closing the hub closes it too.
   */
  | { kind: 'pglite'; instance: PGlite | EmbeddedEngine; owned?: boolean };

/** Chooses the target from the `db` setting: a postgres URL, `memory`, or a directory. */
export function resolveDatabaseTarget(db: string | undefined, defaultDir: string): DatabaseTarget {
  if (db && /^postgres(ql)?:\/\//.test(db)) return { kind: 'postgres', url: db };
  if (db === 'memory') return { kind: 'embedded', dataDir: 'memory' };
  return { kind: 'embedded', dataDir: db ?? defaultDir };
}
