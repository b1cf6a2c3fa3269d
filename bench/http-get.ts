import { execFileSync } from 'node:child_process';
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

/**
 * Latencies of `n` sequential GETs of one path over one kept-alive connection, in ms, measured by
 * curl (`%{time_total}` per transfer): a client without a garbage collector of its own. Measured
 * side by side against one hub with 1,000 instances (scratch, two rounds), node:http read p50
 * 0.6–1.4 ms and p99 2.3–14 ms where curl read p50 0.3–0.45 ms and p99 2.4–4.9 ms: even a lean
 * Node client puts its own pauses (its collector, its event loop) into the tail that the registry
 * budget asks of the hub. Fails on an answer of 400 or more.
 */
export function curlLatencies(baseUrl: string, path: string, n: number): number[] {
  const args = ['--silent', '--show-error', '--write-out', '%{http_code} %{time_total}\\n'];
  for (let i = 0; i < n; i++) args.push('--output', '/dev/null', `${baseUrl}${path}`);
  const out = execFileSync('curl', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [code, seconds] = line.split(' ');
      if (Number(code) >= 400 || Number(code) === 0) throw new Error(`GET ${path}: ${code}`);
      return Number(seconds) * 1000;
    });
}
