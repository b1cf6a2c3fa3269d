import { z } from 'zod';

const booleanish = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const commaList = z.union([
  z.array(z.string()),
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
]);

/** One API key and the scopes it grants. */
export const apiKeySchema = z.object({
  /** Name used in logs and metrics instead of the secret itself. */
  name: z.string().min(1),
  key: z.string().min(16, 'API keys must be at least 16 characters'),
  scopes: z.array(z.enum(['registry:write', 'registry:read', 'tools:call', 'admin'])).min(1),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/**
 * The whole configuration of a hub process. Every field has a default, so an empty object
 * is a valid configuration: a hub on 127.0.0.1:8000 with the embedded database in the home directory.
 */
export const configSchema = z.object({
  /** Interface the HTTP server binds to. @default '127.0.0.1' */
  host: z.string().min(1).default('127.0.0.1'),
  /** HTTP port; 0 picks a free one. @default 8000 */
  port: port.default(8000),
  /**
   * Database: a `postgres://` URL, `memory` (throw-away embedded database) or a directory for the
   * embedded database. `DATABASE_URL` fills it when unset. @default '~/.fin-hub/data'
   */
  db: z.string().min(1).optional(),
  /** Schema the tables live in (tests use one schema per test). @default 'public' */
  dbSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier')
    .default('public'),
  logLevel: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  /** Serve MCP over stdin/stdout. */
  stdio: booleanish.default(false),
  /** Serve the HTTP API (registry, /mcp, /health). In stdio mode it can be turned off. @default true */
  http: booleanish.default(true),
  /** Reference spokes to start as child processes (market, risk, portfolio). */
  spokes: commaList.pipe(z.array(z.enum(['market', 'risk', 'portfolio']))).default([]),
  /** Largest accepted request body, in bytes. @default 1 MiB */
  bodyLimitBytes: positiveInt.default(1024 * 1024),
  health: z
    .object({
      /** Default seconds between checks of one instance when its registration names none. */
      defaultIntervalSeconds: positiveInt.default(30),
      /** How long one health check may take, in ms. */
      timeoutMs: positiveInt.default(5000),
      /** Consecutive failures that make an instance unhealthy. */
      failureThreshold: positiveInt.default(3),
      /** Checks running at once, across all instances. */
      concurrency: positiveInt.default(8),
      /** How often the loops look for due checks and expired instances, in ms. */
      tickMs: positiveInt.default(1000),
      /** Default ttl_seconds of a registration. */
      defaultTtlSeconds: positiveInt.default(300),
    })
    .prefault({}),
  engine: z
    .object({
      balancer: z.enum(['weighted_round_robin', 'least_connections']).default('weighted_round_robin'),
      /** Calls running at once on one instance. */
      instanceConcurrency: positiveInt.default(10),
      /** Calls waiting for one instance before new ones are refused as busy. */
      instanceMaxPending: nonNegativeInt.default(100),
      /** Failures (within the rolling window) that open an instance's breaker. */
      breakerFailureThreshold: positiveInt.default(5),
      /** How long an open breaker stays open before one probe is let through, in ms. */
      breakerResetMs: positiveInt.default(60_000),
      /** Per-attempt timeout when a tool names none, in seconds. */
      defaultTimeoutSeconds: positiveInt.default(30),
      /** Retries when a tool names none. */
      defaultRetryAttempts: nonNegativeInt.default(3),
      /** First retry backoff in ms; doubles per attempt, with full jitter, capped at 2 s. */
      retryBaseMs: nonNegativeInt.default(100),
      /** Timeout for connecting and initialising an upstream MCP session, in ms. */
      connectTimeoutMs: positiveInt.default(5000),
      /** Largest answer accepted from a spoke for one call, in bytes (a bigger one fails the call). */
      maxResultBytes: positiveInt.default(16 * 1024 * 1024),
    })
    .prefault({}),
  history: z
    .object({
      batchSize: positiveInt.default(200),
      /**
       * Longest a finished call waits before its row is written, in ms. A batch has a fixed cost
       * (about 3 ms on the embedded database), so fewer, fuller batches cost the hub less.
       */
      flushIntervalMs: positiveInt.default(200),
      /** Rows kept in memory while the database is unreachable. */
      outboxCapacity: positiveInt.default(100_000),
    })
    .prefault({}),
  mcp: z
    .object({
      /** Sessions without a request for this long are closed, in ms. */
      sessionIdleMs: positiveInt.default(30 * 60_000),
      maxSessions: positiveInt.default(1000),
      /** Page size of tools/list. */
      pageSize: positiveInt.default(100),
      /** Extra Host header names accepted besides the loopback ones and the bind address. */
      allowedHosts: commaList.default([]),
      /** Origins accepted from browsers besides loopback ones. */
      allowedOrigins: commaList.default([]),
      /** Debounce window for notifications/tools/list_changed, in ms. */
      listChangedDebounceMs: nonNegativeInt.default(50),
    })
    .prefault({}),
  auth: z
    .object({
      keys: z
        .union([z.array(apiKeySchema), z.string().transform((s, ctx) => parseKeyList(s, ctx))])
        .default([]),
      /** Allow an unauthenticated hub on a non-loopback interface. */
      allowUnauthenticated: booleanish.default(false),
    })
    .prefault({}),
  rateLimit: z
    .object({
      /** Registry writes per key (or IP) per minute. */
      registryWritesPerMinute: positiveInt.default(600),
      /** Tool calls per key (or IP) per minute. */
      toolCallsPerMinute: positiveInt.default(60_000),
      /** Most instances the registry accepts. */
      maxInstances: positiveInt.default(20_000),
    })
    .prefault({}),
  ssrf: z
    .object({
      /** Allow instances on loopback addresses. */
      allowLoopback: booleanish.default(true),
      /** Allow instances on private networks (10/8, 172.16/12, 192.168/16, fc00::/7). */
      allowPrivate: booleanish.default(true),
      /** Allow public addresses. */
      allowPublic: booleanish.default(true),
    })
    .prefault({}),
  /** How long shutdown waits for calls in flight before aborting them, in ms. */
  shutdownDeadlineMs: positiveInt.default(10_000),
});

export type HubConfig = z.infer<typeof configSchema>;
/** What callers may pass: every field optional, strings where the environment gives strings. */
export type HubConfigInput = z.input<typeof configSchema>;

/** `name:key:scope+scope,name2:key2:scope` — the form keys take in an environment variable. */
function parseKeyList(text: string, ctx: z.RefinementCtx): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const entry of text.split(',').filter((e) => e.trim())) {
    const [name, key, ...scopeParts] = entry.trim().split(':');
    const scopes = scopeParts.join(':');
    const parsed = apiKeySchema.safeParse({ name, key, scopes: scopes ? scopes.split('+') : undefined });
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `key entry "${name ?? ''}" is not name:key:scope+scope` });
      return [];
    }
    keys.push(parsed.data);
  }
  return keys;
}
