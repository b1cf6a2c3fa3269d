/**
 * What a process does when the other end of its stdout or stderr goes away (an MCP client that
 * died, a closed pipe): writes fail with EPIPE, asynchronously, as 'error' events on the stream.
 *
 * Without a listener each one becomes an uncaught exception; the hub logs those, to stderr — so a
 * closed stderr turned every log line into another EPIPE and another log line, for ever, taking a
 * core and gigabytes (found when a client was killed under a `--stdio` hub).
 */
const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

/** Log lines go nowhere once stderr's reader is gone: its writes become no-ops. */
export function dropLogsWhenStderrCloses(): void {
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!CLOSED.has(error.code ?? '')) return;
    process.stderr.write = (() => true) as typeof process.stderr.write;
  });
}

/** stdout's reader is gone (the MCP client over stdio): `onClosed` once, as when stdin ends. */
export function whenStdoutCloses(onClosed: () => void): void {
  let told = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!CLOSED.has(error.code ?? '') || told) return;
    told = true;
    onClosed();
  });
}
