import type { TestContext } from 'node:test';
import type { HubConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { type Hub, startHub } from '../../src/main.js';
import { dropSchema, sharedPglite, TEST_DB, uniqueSchema } from './test-database.js';

/** Deep-merges test overrides onto the defaults that keep tests fast. */
function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object'
        ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * A real hub on port 0 with its own schema in the test database (embedded, or PostgreSQL when
 * the run targets it). Closed (and its schema dropped) when the test ends.
 */
export async function startTestHub(
  t: TestContext | undefined,
  overrides: HubConfigInput = {},
  options: { logger?: Logger } = {},
): Promise<Hub> {
  const schema = uniqueSchema();
  const config = parseConfig(
    merge(
      {
        port: 0,
        dbSchema: schema,
        db: TEST_DB === 'postgres' ? process.env.TEST_DATABASE_URL : undefined,
        logLevel: process.env.TEST_LOG_LEVEL ?? 'error',
        health: { tickMs: 100 },
        engine: { retryBaseMs: 5, breakerResetMs: 60_000 },
        history: { flushIntervalMs: 20 },
        mcp: { listChangedDebounceMs: 10 },
      },
      overrides as Record<string, unknown>,
    ),
  );
  const hub = await startHub(config, {
    logger: options.logger ?? createLogger({ level: config.logLevel, component: 'test-hub' }),
    pglite: TEST_DB === 'embedded' ? await sharedPglite() : undefined,
  });
  t?.after(async () => {
    await hub.close();
    await dropSchema(schema);
  });
  return hub;
}

/** JSON request helper against a hub. */
export async function api(
  hub: { url?: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // leave as text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** A registration body for a service with the given tools (tools by name, open schemas). */
export function registration(
  serviceId: string,
  serviceName: string,
  port: number,
  tools: (string | Record<string, unknown>)[],
  extra: Record<string, unknown> = {},
) {
  return {
    service_id: serviceId,
    service_name: serviceName,
    address: '127.0.0.1',
    port,
    tools: tools.map((t) => (typeof t === 'string' ? { name: t, input_schema: { type: 'object' } } : t)),
    ...extra,
  };
}
