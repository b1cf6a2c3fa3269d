/** Registers a service on the hub at `url`; throws with the hub's answer when it refuses. */
export async function register(url: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/api/v1/services/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  await response.text();
}

/** The service_id of the n-th made-up instance of a registry at scale. */
export function scaleServiceId(n: number): string {
  return `scale-${String(n).padStart(5, '0')}`;
}

/**
 * Registers made-up instances `from` … `to - 1`, ten tools each, all pointing at one spoke (health
 * checked hourly, so the checks stay out of the measurements), eight registrations at a time.
 */
export async function registerScaleInstances(url: string, from: number, to: number, spokePort: number) {
  const todo = Array.from({ length: to - from }, (_, i) => from + i);
  const workers = Array.from({ length: 8 }, async () => {
    for (let next = todo.shift(); next !== undefined; next = todo.shift()) {
      await register(url, {
        service_id: scaleServiceId(next),
        service_name: `scale${next}`,
        address: '127.0.0.1',
        port: spokePort,
        health_check: { interval: 3600 },
        ttl_seconds: 86_400,
        tools: Array.from({ length: 10 }, (_, t) => ({
          name: `scale${next}_tool${t}`,
          input_schema: { type: 'object' },
        })),
      });
    }
  });
  await Promise.all(workers);
}
