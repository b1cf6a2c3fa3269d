// The embedded database's thread: PGlite (PostgreSQL compiled to WebAssembly) runs here so that its
// synchronous work — query execution, file-system writes of the data directory — never blocks the
// hub's event loop. Speaks the PostgreSQL wire protocol with the main thread (embedded-database.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

export type WorkerRequest = { id: number; bytes: Uint8Array } | { close: true };
export type WorkerReply =
  | { ready: true }
  | { fatal: string }
  | { id: number; messages: unknown[] }
  | { id: number; failure: string }
  | { closed: true };

const port = parentPort!;
const { dataDir } = workerData as { dataDir: string };

/** Backend messages cross threads as plain objects; errors keep their fields (code, detail…). */
function transferable(message: unknown): unknown {
  if (message instanceof Error) return { ...message, message: message.message, isDatabaseError: true };
  return message;
}

try {
  const lite = await PGlite.create(dataDir);
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
