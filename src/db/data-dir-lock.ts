import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
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

interface LockHolder {
  pid?: number;
  since?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock file says, or undefined when it is gone or unreadable (a stale lock either way). */
function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function heldByLiveProcess(holder: LockHolder | undefined): holder is { pid: number; since?: string } {
  return typeof holder?.pid === 'number' && alive(holder.pid);
}

/** Writes `content` to a file of this process beside `path`, so that a rename or link publishes it whole. */
function stage(path: string, content: string): string {
  const staged = `${path}.${process.pid}.tmp`;
  writeFileSync(staged, content);
  return staged;
}

/**
 * Creates `path` holding `content`, or returns false when it exists. A hard link of a staged file
 * is created whole or not at all: a reader never sees the empty file that an exclusive open
 * followed by a write shows for a moment (measured: with that, four processes starting at once
 * each read an empty lock as stale, and two to four of them "held" it).
 */
function createWhole(path: string, content: string): boolean {
  const staged = stage(path, content);
  try {
    linkSync(staged, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(staged);
  }
}

function inUse(dataDir: string, holder: { pid: number; since?: string }): DataDirInUse {
  return new DataDirInUse(
    `the data directory ${resolve(dataDir)} is in use by another fin-hub (pid ${holder.pid}, since ${holder.since}); ` +
      'two processes on one embedded database lose data. Use another --db directory, --db memory, ' +
      'or PostgreSQL (--db postgres://…) for several hubs on one registry',
  );
}

/**
 * Takes `<dataDir>.lock` (beside the directory: PostgreSQL owns what is inside), or throws naming
 * the process that holds it. PGlite has no lock of its own: two processes writing one data
 * directory each see only their own writes, and whichever closes last overwrites the other's
 * (measured: one hub's registrations and 49 of its 50 answered calls lost).
 *
 * A lock left by a process that died is taken over under a second, short-lived lock
 * (`<dataDir>.lock.takeover`): only its holder may delete the stale lock, after reading it again,
 * so two processes taking over at once never delete the lock the other has just created.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = `${resolve(dataDir)}.lock`;
  const since = new Date().toISOString();
  const content = JSON.stringify({ pid: process.pid, since });
  const lock: DataDirLock = {
    path,
    describe(fields) {
      renameSync(stage(path, JSON.stringify({ pid: process.pid, since, ...fields })), path);
    },
    release() {
      if (readHolder(path)?.pid !== process.pid) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
  // Each pass either takes the lock, refuses, or clears one lock left by a dead process.
  for (let attempt = 0; attempt < 4; attempt++) {
    if (createWhole(path, content)) return lock;
    const holder = readHolder(path);
    if (heldByLiveProcess(holder)) throw inUse(dataDir, holder);
    takeOverStale(dataDir, path, holder, content);
  }
  throw new Error(`the lock ${path} could not be taken`);
}

/** Deletes the stale lock at `path` if it still says what `stale` said, holding the takeover lock meanwhile. */
function takeOverStale(dataDir: string, path: string, stale: LockHolder | undefined, content: string): void {
  const guard = `${path}.takeover`;
  if (!createWhole(guard, content)) {
    const guardHolder = readHolder(guard);
    // A live process is taking the lock over right now: it will hold it.
    if (heldByLiveProcess(guardHolder)) throw inUse(dataDir, guardHolder);
    // Gone already: another takeover just ended; the next pass looks again.
    if (guardHolder === undefined) return;
    // A process died in the middle of a takeover (a window of microseconds): its guard is stale too.
    try {
      unlinkSync(guard);
    } catch {
      // cleared by another process
    }
    return;
  }
  try {
    const now = readHolder(path);
    if (now?.pid === stale?.pid && now?.since === stale?.since) {
      try {
        unlinkSync(path);
      } catch {
        // gone already
      }
    }
  } finally {
    unlinkSync(guard);
  }
}
