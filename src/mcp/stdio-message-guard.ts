import { Transform } from 'node:stream';
import { messageProblem } from './message-limits.js';

/**
 * Sits between stdin and the SDK's stdio transport: each newline-delimited message is checked
 * against the limits every front applies (src/mcp/message-limits.ts); a refused one is answered
 * here with a JSON-RPC error on stdout and never reaches the SDK, the engine or the history. Lines
 * that are not JSON pass through, so the SDK keeps answering them as it does (parse error). A line
 * longer than `maxLineBytes` is dropped with an error.
 */
export function createStdioMessageGuard(
  reply: (line: string) => void,
  maxLineBytes = 16 * 1024 * 1024,
): Transform {
  let pending = '';
  const check = (line: string): string | undefined => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return line;
    }
    const problem = messageProblem(message);
    if (problem === undefined) return line;
    const id = (message as { id?: unknown } | null)?.id;
    const safeId = typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : null;
    reply(`${JSON.stringify({ jsonrpc: '2.0', id: safeId, error: { code: -32600, message: problem } })}\n`);
    return undefined;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      let out = '';
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        const kept = line.trim() === '' ? line : check(line);
        if (kept !== undefined) out += `${kept}\n`;
      }
      if (pending.length > maxLineBytes) {
        // A line that never ends would grow without bound: drop it and say so.
        pending = '';
        reply(
          `${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: a message is longer than ${maxLineBytes} bytes` } })}\n`,
        );
      }
      done(null, out);
    },
    flush(done) {
      const kept = pending && check(pending);
      done(null, kept || '');
    },
  });
}
