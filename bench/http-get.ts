import { Agent, get } from 'node:http';

/**
 * GETs over one kept-alive connection with node:http, for the registry's latency samples:
 * `json(path)` parses the answer, `body(path)` only reads it to its last byte (keeping nothing).
 *
 * Not `fetch`: undici's fetch allocates tens of KB per request in the benchmark's own process, and
 * its collector pauses land in the samples — against the same hub at the same moment it read p99
 * 5.1–5.6 ms and a worst request of 32–38 ms where node:http read 3.2–4.7 ms and 8–11 ms
 * (docs/decisions.md). For the same reason the timed samples use `body`: parsing a page of 50
 * instances (~80 KB of JSON) made the benchmark's process collect about as often as the hub, and
 * those pauses were in the samples too. The registry budget is about the hub, so the client is
 * kept lean; a sample still fails on a 4xx or 5xx answer.
 */
export function registryGetter(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const read = (path: string, keep: boolean) =>
    new Promise<string>((resolve, reject) => {
      get(`${baseUrl}${path}`, { agent }, (response) => {
        const failed = (response.statusCode ?? 0) >= 400;
        const chunks: Buffer[] = [];
        if (keep || failed) response.on('data', (chunk: Buffer) => chunks.push(chunk));
        else response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (failed) reject(new Error(`GET ${path}: ${response.statusCode} ${text}`));
          else resolve(text);
        });
      }).on('error', reject);
    });
  /** Reads the answer to its last byte and lets it go (nothing kept, nothing parsed). */
  const body = (path: string): Promise<unknown> => read(path, false);
  return {
    body,
    json: async (path: string): Promise<unknown> => JSON.parse(await read(path, true)),
  };
}
