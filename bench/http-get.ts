import { Agent, get } from 'node:http';

/**
 * GETs JSON over one kept-alive connection with node:http, for the registry's latency samples.
 *
 * Not `fetch`: undici's fetch allocates tens of KB per request in the benchmark's own process, and
 * its collector pauses land in the samples — against the same hub at the same moment it read p99
 * 5.1–5.6 ms and a worst request of 32–38 ms where node:http read 3.2–4.7 ms and 8–11 ms
 * (docs/decisions.md). The registry budget is about the hub, so the client is kept lean.
 */
export function jsonGetter(baseUrl: string): (path: string) => Promise<unknown> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (path) =>
    new Promise((resolve, reject) => {
      get(`${baseUrl}${path}`, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 0) >= 400)
            reject(new Error(`GET ${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      }).on('error', reject);
    });
}
