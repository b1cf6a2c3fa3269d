// The embedded database's thread: PGlite (PostgreSQL compiled to WebAssembly) runs here so that its
// synchronous work — query execution, file-system writes of the data directory — never blocks the
// hub's event loop. Speaks the PostgreSQL wire protocol with the main thread (embedded-database.ts).
import { setFlagsFromString } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS, seedDataDir } from './pglite-settings.js';

export type WorkerRequest = { id: number; bytes: Uint8Array } | { close: true };
export type WorkerReply =
  | { ready: true }
  | { fatal: string }
  | { id: number; messages: unknown[] }
  | { id: number; failure: string }
  | { closed: true };

// Liftoff only: PGlite's WebAssembly is compiled once by the baseline compiler and never again by
// the optimising one. Measured on a warm open: 32 MB less resident memory, the first queries ~3×
// faster (no tier-up compilation), steady-state queries 10–30 % slower (they run off the event
// loop, in batches). Set before PGlite compiles its module; the flag is the process's, and nothing
// else in fin-hub runs WebAssembly.
setFlagsFromString('--liftoff-only');

const port = parentPort!;
const { dataDir, seedDir } = workerData as { dataDir: string; seedDir: string };

/** Backend messages cross threads as plain objects; errors keep their fields (code, detail…). */
function transferable(message: unknown): unknown {
  if (message instanceof Error) return { ...message, message: message.message, isDatabaseError: true };
  return message;
}

try {
  seedDataDir(dataDir, seedDir);
  const lite = await PGlite.create(dataDir, PGLITE_OPTIONS);
  port.on('message', async (request: WorkerRequest) => {
    if ('close' in request) {
      await lite.close().catch(() => {});
      port.postMessage({ closed: true } satisfies WorkerReply);
      return;
    }
    try {
      const messages = await lite.execProtocolStream(request.bytes, { throwOnError: false });
      port.postMessage({ id: request.id, messages: messages.map(transferable) } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({
        id: request.id,
        failure: String((error as Error)?.message ?? error),
      } satisfies WorkerReply);
    }
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ fatal: String((error as Error)?.message ?? error) } satisfies WorkerReply);
}
