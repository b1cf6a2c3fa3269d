import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import type { WorkerReply, WorkerRequest } from './pglite-worker.js';

/** What PGlite's node-postgres adapter needs from a PGlite: the wire protocol in, parsed messages out. */
export interface EmbeddedEngine {
  waitReady: Promise<void>;
  execProtocolStream(bytes: Uint8Array, options?: { throwOnError?: boolean }): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * The embedded PostgreSQL on its own thread (pglite-worker.ts). Queries cost one message each
 * way; in exchange the WebAssembly engine and its synchronous file writes run beside the event
 * loop instead of on it (measured: a history batch held the loop 3 ms + 0.09 ms per row).
 */
export function startEmbeddedWorker(dataDir: string): EmbeddedEngine {
  let lock: DataDirLock | undefined;
  try {
    if (!dataDir.startsWith('memory://')) {
      mkdirSync(dataDir, { recursive: true });
      lock = lockDataDir(dataDir);
    }
  } catch (error) {
    return failedEngine(new Error(`the embedded database did not start: ${(error as Error).message}`));
  }
  // Under tsx (npm start, tests) the sources are .ts; the package runs the compiled .js.
  // Under tsx (npm start, tests) the sources are .ts and a worker does not inherit tsx's loader,
  // so a small bootstrap registers it first; the package runs the compiled .js directly.
  const source = new URL(
    import.meta.url.endsWith('.ts') ? './pglite-worker.ts' : './pglite-worker.js',
    import.meta.url,
  );
  const worker = source.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`,
        { eval: true, workerData: { dataDir } },
      )
    : new Worker(source, { workerData: { dataDir } });
  const pending = new Map<
    number,
    { resolve: (messages: unknown[]) => void; reject: (error: Error) => void }
  >();
  let next = 0;
  let held: Uint8Array[] = [];
  let failure: Error | undefined;
  let onClosed: (() => void) | undefined;

  // The thread keeps the process alive only while a query (or the start) is waiting for it.
  const settled = () => {
    if (pending.size === 0) worker.unref();
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
      if ('fatal' in reply) return reject(new Error(`the embedded database did not start: ${reply.fatal}`));
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
            worker.ref();
            worker.postMessage({ close: true } satisfies WorkerRequest);
          }),
          new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
      }
      await worker.terminate();
      lock?.release();
    },
  };
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
