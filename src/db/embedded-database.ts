import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModuleWorker } from '../shared/module-worker.js';
import { DataDirInUse, type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { pgliteSeedDir } from './pglite-settings.js';
import type { WorkerReply, WorkerRequest } from './pglite-worker.js';

/** What PGlite's node-postgres adapter needs from a PGlite: the wire protocol in, parsed messages out. */
export interface EmbeddedEngine {
  waitReady: Promise<void>;
  /** The data directory it opened (with spare directories, maybe not the one asked for). */
  dataDir?: string;
  /** The directory held no database yet: this start creates it (a first run). */
  creating?: boolean;
  /** Adds facts to the data directory's lock file (see DataDirLock.describe). */
  describe?(fields: Record<string, string>): void;
  execProtocolStream(bytes: Uint8Array, options?: { throwOnError?: boolean }): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * The embedded PostgreSQL on its own thread (pglite-worker.ts). Queries cost one message each
 * way; in exchange the WebAssembly engine and its synchronous file writes run beside the event
 * loop instead of on it (measured: a history batch held the loop 3 ms + 0.09 ms per row).
 */
export function startEmbeddedWorker(asked: string, options: { spareDirs?: number } = {}): EmbeddedEngine {
  let lock: DataDirLock | undefined;
  let dataDir = asked;
  const throwaway = asked.startsWith('memory://');
  try {
    if (throwaway) ({ dataDir, lock } = throwawayDataDir());
    else ({ dataDir, lock } = lockFirstFree(asked, options.spareDirs ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file-system refusal (read-only, permissions, a file in the way) says where to go instead.
    const hint =
      code && code !== 'EEXIST' ? '; give --db (or FIN_HUB_HOME) a directory this user can write' : '';
    return failedEngine(new Error(`the embedded database did not start: ${(error as Error).message}${hint}`));
  }
  // Read before the thread starts: it fills the directory.
  const creating = !throwaway && !existsSync(join(dataDir, 'PG_VERSION'));
  const worker = startModuleWorker(import.meta.url, 'pglite-worker', {
    workerData: { dataDir, seedDir: pgliteSeedDir() },
    // Its JavaScript only relays wire-protocol messages: a small young generation is enough
    // (measured with the spoke thread's: 10 MB less resident memory; bench/desktop.ts).
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const pending = new Map<
    number,
    { resolve: (messages: unknown[]) => void; reject: (error: Error) => void }
  >();
  let next = 0;
  let held: Uint8Array[] = [];
  let failure: Error | undefined;
  let onClosed: (() => void) | undefined;

  let closing = false;
  // The thread keeps the process alive only while a query (or the start, or a close) is waiting
  // for it. A close asked during the start must not be let go by the start's own "ready".
  const settled = () => {
    if (pending.size === 0 && !closing) worker.unref();
  };
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const waitReady = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        resolve();
        return settled();
      }
      if ('fatal' in reply) {
        const error = new Error(`the embedded database did not start: ${reply.fatal}`);
        reject(error);
        return fail(error);
      }
      if ('closed' in reply) return onClosed?.();
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('failure' in reply) waiter?.reject(new Error(reply.failure));
      else waiter?.resolve(reply.messages.map(revive));
      settled();
    });
    worker.on('error', (error) => {
      reject(error);
      fail(error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the embedded database thread exited (code ${code})`);
      reject(error);
      fail(error);
    });
  });

  // Marked as handled: a failed start is reported to whoever awaits it, never as an unhandled rejection.
  waitReady.catch(() => {});
  return {
    waitReady,
    dataDir,
    creating,
    describe: (fields) => lock?.describe(fields),
    execProtocolStream(bytes) {
      if (failure) return Promise.reject(failure);
      // node-postgres hands over Parse, Bind, Describe, Execute and Close one by one, each awaited;
      // they produce nothing the client waits for before Sync, so they travel together with it —
      // one thread hop per query instead of five, as a network server would receive them.
      if (DEFERRED.has(bytes[0]!)) {
        held.push(bytes);
        return Promise.resolve([]);
      }
      const message = concat([...held, bytes]);
      held = [];
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, bytes: message } satisfies WorkerRequest, [message.buffer as ArrayBuffer]);
      });
    },
    async close() {
      if (!failure) {
        await Promise.race([
          new Promise<void>((resolve) => {
            onClosed = resolve;
            closing = true;
            worker.ref();
            worker.postMessage({ close: true } satisfies WorkerRequest);
          }),
          new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
      }
      await worker.terminate();
      if (throwaway) rmSync(dataDir, { recursive: true, force: true });
      lock?.release();
    },
  };
}

/**
 * Locks `dataDir`, or when another live hub holds it and spares are allowed, the first free of
 * `dataDir-2`, `dataDir-3`…: two desktop clients starting the same `fin-hub --stdio` each get a
 * database of their own, and each finds its own again on the next start (README's decisions).
 */
function lockFirstFree(dataDir: string, spareDirs: number): { dataDir: string; lock: DataDirLock } {
  for (let slot = 1; ; slot++) {
    const candidate = slot === 1 ? dataDir : `${dataDir}-${slot}`;
    try {
      mkdirSync(candidate, { recursive: true });
      return { dataDir: candidate, lock: lockDataDir(candidate) };
    } catch (error) {
      if (!(error instanceof DataDirInUse) || slot > spareDirs) throw error;
    }
  }
}

/**
 * `--db memory`: a database in a new temporary directory, deleted when the hub closes. PGlite's
 * in-memory file system kept the whole data directory in the heap (measured: 50–80 MB more than
 * the same database on disk). Directories left by a hub that was killed are swept here, by the
 * next memory hub, when their lock's holder is gone.
 */
function throwawayDataDir(): { dataDir: string; lock: DataDirLock } {
  for (const name of readdirSync(tmpdir())) {
    if (!/^fin-hub-memory-[^.]+$/.test(name)) continue;
    const left = join(tmpdir(), name);
    try {
      // Young ones may be a starting hub's that it has not locked yet.
      if (statSync(left).mtimeMs > Date.now() - 60_000) continue;
      lockDataDir(left).release();
      rmSync(left, { recursive: true, force: true });
    } catch {
      // held by a live hub, or not ours to remove
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'fin-hub-memory-'));
  return { dataDir, lock: lockDataDir(dataDir) };
}

/** An engine that never started: every use reports why (the caller decides, nothing throws here). */
function failedEngine(error: Error): EmbeddedEngine {
  const waitReady = Promise.reject(error);
  waitReady.catch(() => {});
  return {
    waitReady,
    execProtocolStream: () => Promise.reject(error),
    close: async () => {},
  };
}

// Frontend message types (first byte): Parse, Bind, Describe, Execute, Close.
const DEFERRED = new Set(['P', 'B', 'D', 'E', 'C'].map((c) => c.charCodeAt(0)));

/** The messages in one fresh buffer of their exact size (transferred to the thread, not copied). */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A database error crossed the thread as a plain object: make it an Error again, fields kept. */
function revive(message: unknown): unknown {
  const plain = message as { isDatabaseError?: boolean; message?: string };
  if (!plain?.isDatabaseError) return message;
  const { isDatabaseError: _, ...fields } = plain;
  return Object.assign(new Error(plain.message), fields);
}
