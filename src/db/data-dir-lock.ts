import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The lock a process holds on an embedded data directory while it has the database open. */
export interface DataDirLock {
  readonly path: string;
  /** Adds facts about the holder to the lock file (the hub's URL: how outside spokes find it). */
  describe(fields: Record<string, string>): void;
  release(): void;
}

/** The directory is locked by a live process (not a stale lock, not an I/O error). */
export class DataDirInUse extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>.lock` (beside the directory: PostgreSQL owns what is inside), or throws naming
 * the process that holds it. PGlite has no lock of its own: two processes writing one data
 * directory each see only their own writes, and whichever closes last overwrites the other's
 * (measured: one hub's registrations and 49 of its 50 answered calls lost). A lock left by a
 * process that died is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${resolve(dataDir)}.lock`;
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return {
        path,
        describe(fields) {
          const held = { pid: process.pid, since: JSON.parse(content).since, ...fields };
          writeFileSync(path, JSON.stringify(held));
        },
        release() {
          try {
            const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
            if (held.pid === process.pid) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: number; since?: string } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // unreadable or half-written: treated as stale below
    }
    if (typeof holder.pid === 'number' && alive(holder.pid)) {
      throw new DataDirInUse(
        `the data directory ${resolve(dataDir)} is in use by another fin-hub (pid ${holder.pid}, since ${holder.since}); ` +
          'two processes on one embedded database lose data. Use another --db directory, --db memory, ' +
          'or PostgreSQL (--db postgres://…) for several hubs on one registry',
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // another process took over the stale lock first: the next attempt reports it
    }
  }
  throw new Error(`the lock ${path} could not be taken`);
}
