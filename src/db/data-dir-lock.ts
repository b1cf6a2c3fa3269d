import { createHash } from 'node:crypto';
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

/** A lock file as read: its exact text, its holder when it parses, and whether that holder lives. */
interface ReadLock {
  text: string;
  holder: LockHolder | undefined;
  live: boolean;
}

/** Reads a lock file; undefined when there is none. One that does not parse is stale. */
function readLock(path: string): ReadLock | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let holder: LockHolder | undefined;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    // unreadable: stale
  }
  return { text, holder, live: typeof holder?.pid === 'number' && alive(holder.pid) };
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

function inUse(dataDir: string, holder: LockHolder | undefined): DataDirInUse {
  return new DataDirInUse(
    `the data directory ${resolve(dataDir)} is in use by another fin-hub (pid ${holder?.pid}, since ${holder?.since}); ` +
      'two processes on one embedded database lose data. Use another --db directory, --db memory, ' +
      'or PostgreSQL (--db postgres://…) for several hubs on one registry',
  );
}

/**
 * Takes `<dataDir>.lock` (beside the directory: PostgreSQL owns what is inside), or throws naming
 * the process that holds it. PGlite has no lock of its own: two processes writing one data
 * directory each see only their own writes, and whichever closes last overwrites the other's
 * (measured: one hub's registrations and 49 of its 50 answered calls lost).
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
      if (readLock(path)?.holder?.pid === process.pid) unlinkQuietly(path);
    },
  };
  // Each pass takes the lock, refuses, or clears one lock left by a dead process (a takeover
  // lock left by a process that died during its takeover costs a pass of its own).
  for (let attempt = 0; attempt < 6; attempt++) {
    if (createWhole(path, content)) return lock;
    const found = readLock(path);
    if (found?.live) throw inUse(dataDir, found.holder);
    if (found) takeOver(dataDir, path, found.text, content);
  }
  throw new Error(`the lock ${path} could not be taken`);
}

/**
 * The takeover lock of one stale lock text. A dead process's lock text never comes back (it names
 * that process and the moment it started), so once it is deleted, holding this lock lets nobody
 * delete anything else.
 */
export function takeoverLockPath(path: string, staleText: string): string {
  return `${path}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
}

/**
 * Deletes the stale lock at `path` if it still reads exactly `stale`, holding its takeover lock
 * meanwhile, so that two processes never both delete "the stale lock" — the second deleting the
 * lock the first has just created. Only its holder deletes a takeover lock, except one whose
 * holder died during the takeover: that one is a stale lock itself, taken over the same way.
 */
function takeOver(dataDir: string, path: string, stale: string, content: string): void {
  const guard = takeoverLockPath(path, stale);
  if (!createWhole(guard, content)) {
    const other = readLock(guard);
    // A live process is taking the lock over right now: it will hold it.
    if (other?.live) throw inUse(dataDir, other.holder);
    if (other) takeOver(dataDir, guard, other.text, content);
    return;
  }
  try {
    if (readLock(path)?.text === stale) unlinkQuietly(path);
  } finally {
    unlinkSync(guard);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
