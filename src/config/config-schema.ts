import { z } from 'zod';
import { namespaceSchema } from '../registry/registration-schema.js';

/**
 * What the documentation, the CLI and the loader know of one key, declared beside its schema:
 * `src/config/config-keys.ts` walks the schema, and `--help`, the environment and flag sources and
 * the configuration tables of README.md and docs/configuration.md are all derived from it.
 */
export interface KeyMeta {
  /** One line for humans: what the value means. */
  description: string;
  /** The CLI flag, without dashes. */
  flag?: string;
  /** The environment variable. */
  env?: string;
  /** Another environment variable read when `env` is unset (e.g. DATABASE_URL). */
  envFallback?: string;
  /** A valueless flag that sets a boolean key to false (e.g. --no-http). */
  negativeFlag?: string;
  /** How the default reads in docs when the value itself would mislead (a computed path, a byte count). */
  defaultText?: string;
}

/** Attaches a key's metadata (zod's registry keeps it on the schema instance). */
function key<T extends z.ZodType>(schema: T, meta: KeyMeta): T {
  return schema.meta({ ...meta }) as T;
}

export const booleanish = z.union([
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

/**
 * An MCP server the hub starts as a child process and talks to over stdio (most of the ecosystem
 * ships that way). Declared in the config file only: starting commands is code execution, so the
 * REST API cannot.
 */
const stdioServiceSchema = z.strictObject({
  /** Its service_name at the hub (the instance is `stdio-<name>`). */
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "-" and "."'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to a minimal environment (PATH, HOME…), not the hub's whole environment. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  tool_prefix: z
    .string()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'letters and digits')
    .optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).default([]),
});
export type StdioService = z.infer<typeof stdioServiceSchema>;

/**
 * An MCP server over HTTP (streamable HTTP or HTTP+SSE) the config file declares: registered at
 * start as `config-<name>`, with the headers the hub sends it (sealed like a registration's
 * `upstream_headers`, so they need `secretKey`).
 */
const httpServiceSchema = z.strictObject({
  name: stdioServiceSchema.shape.name,
  url: z
    .string()
    .url()
    .regex(/^https?:\/\//, 'an http:// or https:// URL'),
  headers: z.record(z.string(), z.string()).default({}),
  namespace: namespaceSchema.optional(),
  tool_prefix: stdioServiceSchema.shape.tool_prefix,
  tags: stdioServiceSchema.shape.tags,
  /** It keeps no per-session state: every caller shares one upstream session (docs/federation.md). */
  shared_session: z.boolean().default(false),
});
type HttpService = z.infer<typeof httpServiceSchema>;
export type ConfigService = StdioService | HttpService;

/** A config-file service launched by the hub (it has a `command`) rather than reached by URL. */
export const isStdioService = (service: ConfigService): service is StdioService => 'command' in service;

/** One API key and the scopes it grants. */
const apiKeySchema = z.object({
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
  host: key(z.string().min(1).default('127.0.0.1'), {
    flag: 'host',
    env: 'FIN_HUB_HOST',
    description: 'bind address; anything but loopback requires API keys (or `--allow-unauthenticated`)',
  }),
  port: key(port.default(8000), {
    flag: 'port',
    env: 'FIN_HUB_PORT',
    description: 'HTTP port (`0` = any free port)',
  }),
  db: key(z.string().min(1).optional(), {
    flag: 'db',
    env: 'FIN_HUB_DB',
    envFallback: 'DATABASE_URL',
    defaultText: '~/.fin-hub/data',
    description:
      '`postgres://…` URL, `memory` (throw-away embedded), or a directory for the embedded database (`FIN_HUB_HOME` moves the default)',
  }),
  dbSchema: key(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier')
      .default('public'),
    { flag: 'db-schema', env: 'FIN_HUB_DB_SCHEMA', description: 'schema of the tables' },
  ),
  logLevel: key(z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'), {
    flag: 'log-level',
    env: 'FIN_HUB_LOG_LEVEL',
    description: '`error`, `warn`, `info`, `http` (adds one line per request), `debug`',
  }),
  logFormat: key(z.enum(['auto', 'json', 'pretty']).default('auto'), {
    flag: 'log-format',
    env: 'FIN_HUB_LOG_FORMAT',
    description:
      '`auto` (one coloured line per event when stderr is a terminal, JSON lines otherwise), `json`, `pretty`',
  }),
  stdio: key(booleanish.default(false), { flag: 'stdio', description: 'MCP over stdin/stdout' }),
  http: key(booleanish.default(true), {
    env: 'FIN_HUB_HTTP',
    negativeFlag: 'no-http',
    description: 'the HTTP listener (registry API, /mcp, /health); `--no-http` turns it off in stdio mode',
  }),
  spokes: key(commaList.pipe(z.array(z.enum(['market', 'risk', 'portfolio']))).default([]), {
    flag: 'spokes',
    env: 'FIN_HUB_SPOKES',
    defaultText: 'none',
    description:
      'reference spokes to run on a thread of the hub, each on a free port: `market,risk,portfolio`',
  }),
  trustedProxies: key(commaList.default([]), {
    flag: 'trusted-proxies',
    env: 'FIN_HUB_TRUSTED_PROXIES',
    defaultText: 'none',
    description:
      'proxies (addresses, CIDRs, or `loopback`) whose `X-Forwarded-For` names the client; from anyone else the header is ignored',
  }),
  bodyLimitBytes: key(positiveInt.default(1024 * 1024), {
    flag: 'body-limit',
    env: 'FIN_HUB_BODY_LIMIT',
    description: 'largest request body in bytes (REST and /mcp)',
  }),
  health: z
    .object({
      defaultIntervalSeconds: key(positiveInt.default(30), {
        env: 'FIN_HUB_HEALTH_INTERVAL_SECONDS',
        description: 'health-check interval of registrations that name none',
      }),
      timeoutMs: key(positiveInt.default(5000), {
        env: 'FIN_HUB_HEALTH_TIMEOUT_MS',
        description: "one health check's deadline",
      }),
      failureThreshold: key(positiveInt.default(3), {
        env: 'FIN_HUB_HEALTH_FAILURE_THRESHOLD',
        description: 'consecutive failures that make an instance unhealthy',
      }),
      concurrency: key(positiveInt.default(8), {
        description: 'health checks running at once, across all instances',
      }),
      tickMs: key(positiveInt.default(1000), {
        description: 'how often the loops look for due checks and expired instances, in ms',
      }),
      defaultTtlSeconds: key(positiveInt.default(300), {
        env: 'FIN_HUB_DEFAULT_TTL_SECONDS',
        description: 'TTL of registrations that name none',
      }),
    })
    .prefault({}),
  engine: z
    .object({
      balancer: key(z.enum(['weighted_round_robin', 'least_connections']).default('weighted_round_robin'), {
        flag: 'balancer',
        env: 'FIN_HUB_BALANCER',
        description: 'or `least_connections`; a service overrides it with `meta.balancer`',
      }),
      instanceConcurrency: key(positiveInt.default(10), {
        flag: 'instance-concurrency',
        env: 'FIN_HUB_INSTANCE_CONCURRENCY',
        description: 'calls running at once per instance',
      }),
      instanceMaxPending: key(nonNegativeInt.default(100), {
        flag: 'instance-max-pending',
        env: 'FIN_HUB_INSTANCE_MAX_PENDING',
        description: 'calls waiting per instance before "busy"',
      }),
      breakerFailureThreshold: key(positiveInt.default(5), {
        env: 'FIN_HUB_BREAKER_FAILURES',
        description:
          "consecutive failures that open an instance's breaker (also: this many calls in 10 s, over half failed)",
      }),
      breakerResetMs: key(positiveInt.default(60_000), {
        env: 'FIN_HUB_BREAKER_RESET_MS',
        description: 'how long a breaker stays open before one probe',
      }),
      defaultTimeoutSeconds: key(positiveInt.default(30), {
        env: 'FIN_HUB_DEFAULT_TIMEOUT_SECONDS',
        description: 'per-attempt timeout of tools that name none',
      }),
      defaultRetryAttempts: key(nonNegativeInt.default(3), {
        env: 'FIN_HUB_DEFAULT_RETRY_ATTEMPTS',
        description: 'retries of tools that name none',
      }),
      retryBaseMs: key(nonNegativeInt.default(100), {
        description: 'first retry backoff in ms; doubles per attempt, with full jitter, capped at 2 s',
      }),
      connectTimeoutMs: key(positiveInt.default(5000), {
        description: 'deadline for connecting and initialising an upstream MCP session, in ms',
      }),
      maxResultBytes: key(positiveInt.default(16 * 1024 * 1024), {
        description:
          'largest answer accepted from a spoke for one call, in bytes (a bigger one fails the call)',
      }),
      maxUpstreamSessionsPerInstance: key(positiveInt.default(100), {
        env: 'FIN_HUB_MAX_UPSTREAM_SESSIONS',
        description:
          'upstream sessions one stateful server instance holds, one per MCP session calling it; one more is refused as busy',
      }),
      upstreamSessionIdleMs: key(positiveInt.default(10 * 60_000), {
        description:
          "an MCP session's own upstream session unused this long is closed (reopened when needed)",
      }),
    })
    .prefault({}),
  history: z
    .object({
      batchSize: key(positiveInt.default(200), { description: 'history rows written per statement' }),
      // A batch has a fixed cost (about 3 ms on the embedded database): fewer, fuller batches cost less.
      flushIntervalMs: key(positiveInt.default(200), {
        description: 'longest a finished call waits for its history row, in ms',
      }),
      outboxCapacity: key(positiveInt.default(100_000), {
        description:
          'history rows kept in memory while the database is unreachable; past it calls are refused',
      }),
    })
    .prefault({}),
  mcp: z
    .object({
      sessionIdleMs: key(positiveInt.default(30 * 60_000), {
        env: 'FIN_HUB_SESSION_IDLE_MS',
        description: 'idle MCP sessions are closed after this',
      }),
      maxSessions: key(positiveInt.default(1000), { description: 'MCP sessions open at once, in all' }),
      maxSessionsPerIdentity: key(positiveInt.default(100), {
        env: 'FIN_HUB_MAX_SESSIONS_PER_IDENTITY',
        description: 'MCP sessions open at once per API key (or per client address without keys)',
      }),
      pageSize: key(positiveInt.default(100), { description: 'page size of `tools/list`' }),
      toolDiscovery: key(z.enum(['full', 'progressive']).default('full'), {
        flag: 'tool-discovery',
        env: 'FIN_HUB_TOOL_DISCOVERY',
        description:
          '`full`: `tools/list` offers the hub tools and every registered tool; `progressive`: only the hub tools (`hub_search_tools` finds the others, `hub_call_tool` calls them), for catalogues no model can take whole',
      }),
      inputWaitMs: key(positiveInt.default(600_000), {
        env: 'FIN_HUB_INPUT_WAIT_MS',
        description:
          'how long a call waits for a 2026-07-28 caller to answer the questions of an `input_required` round before it is cancelled',
      }),
      sessionIdPrefix: key(
        z
          .string()
          .regex(/^[A-Za-z0-9-]{0,32}$/, 'letters, digits and dashes, at most 32')
          .default(''),
        {
          flag: 'session-prefix',
          env: 'FIN_HUB_SESSION_PREFIX',
          defaultText: '',
          description:
            'prefix of the MCP session ids this hub mints, so a proxy in front of several hubs can send a handshake-era session back to its hub (deploy/nginx)',
        },
      ),
      allowedHosts: key(commaList.default([]), {
        flag: 'allowed-hosts',
        env: 'FIN_HUB_ALLOWED_HOSTS',
        defaultText: '',
        description:
          'extra Host names accepted on /mcp, the REST API and /docs (loopback names and the bind address always are)',
      }),
      allowedOrigins: key(commaList.default([]), {
        flag: 'allowed-origins',
        env: 'FIN_HUB_ALLOWED_ORIGINS',
        defaultText: '',
        description: 'extra browser Origins accepted (loopback ones always are)',
      }),
      listChangedDebounceMs: key(nonNegativeInt.default(50), {
        description: 'debounce window of `notifications/tools/list_changed`, in ms',
      }),
    })
    .prefault({}),
  auth: z
    .object({
      keys: key(
        z.union([z.array(apiKeySchema), z.string().transform((s, ctx) => parseKeyList(s, ctx))]).default([]),
        {
          env: 'FIN_HUB_API_KEYS',
          defaultText: 'none',
          description: '`name:key:scope+scope,…` (keys ≥ 16 characters)',
        },
      ),
      allowUnauthenticated: key(booleanish.default(false), {
        flag: 'allow-unauthenticated',
        env: 'FIN_HUB_ALLOW_UNAUTHENTICATED',
        description: 'run beyond loopback without keys (logged loudly)',
      }),
    })
    .prefault({}),
  rateLimit: z
    .object({
      registryWritesPerMinute: key(positiveInt.default(600), {
        env: 'FIN_HUB_RATE_REGISTRY_WRITES',
        description: 'registry writes per key (or IP) per minute',
      }),
      toolCallsPerMinute: key(positiveInt.default(60_000), {
        env: 'FIN_HUB_RATE_TOOL_CALLS',
        description: 'tool calls per key (or IP) per minute',
      }),
      maxInstances: key(positiveInt.default(20_000), {
        env: 'FIN_HUB_MAX_INSTANCES',
        description: 'most active instances the registry accepts',
      }),
    })
    .prefault({}),
  retention: z
    .object({
      inactiveServiceDays: key(positiveInt.default(7), {
        env: 'FIN_HUB_RETENTION_INACTIVE_SERVICE_DAYS',
        description: 'deregistered or expired services (and their tools) are deleted after this many days',
      }),
      executionDays: key(positiveInt.default(30), {
        env: 'FIN_HUB_RETENTION_EXECUTION_DAYS',
        description: 'execution history rows are deleted this many days after they started',
      }),
      auditDays: key(positiveInt.default(90), {
        env: 'FIN_HUB_RETENTION_AUDIT_DAYS',
        description: 'registry audit rows are deleted after this many days',
      }),
      batchSize: key(positiveInt.default(1000), { description: 'rows deleted per retention statement' }),
      intervalMs: key(positiveInt.default(60 * 60_000), {
        description: 'how often the retention pass runs, in ms',
      }),
    })
    .prefault({}),
  sync: z
    .object({
      consistencyIntervalMs: key(positiveInt.default(30_000), {
        description:
          'several hubs on PostgreSQL: how often each re-reads the whole registry, the bound on how long a missed notice lasts, in ms',
      }),
    })
    .prefault({}),
  ssrf: z
    .object({
      allowLoopback: key(booleanish.default(true), { description: 'allow instances on loopback addresses' }),
      allowPrivate: key(booleanish.default(true), {
        description: 'allow instances on private networks (10/8, 172.16/12, 192.168/16, fc00::/7)',
      }),
      allowPublic: key(booleanish.default(true), { description: 'allow instances on public addresses' }),
    })
    .prefault({}),
  shutdownDeadlineMs: key(positiveInt.default(10_000), {
    env: 'FIN_HUB_SHUTDOWN_DEADLINE_MS',
    description: 'how long shutdown waits for calls in flight',
  }),
  toolNamespaces: key(z.enum(['off', 'service-name']).default('off'), {
    flag: 'tool-namespaces',
    env: 'FIN_HUB_TOOL_NAMESPACES',
    description:
      'service-name: every service without its own namespace or tool_prefix exposes its tools as <service_name>__<tool>',
  }),
  secretKey: key(z.string().min(16, 'at least 16 characters').optional(), {
    env: 'FIN_HUB_SECRET_KEY',
    description:
      'seals the credential headers registrations give for their upstreams (AES-256-GCM); the same on every hub of one database',
  }),
  allowStdioRegistration: key(booleanish.default(false), {
    flag: 'allow-stdio-registration',
    env: 'FIN_HUB_ALLOW_STDIO_REGISTRATION',
    description:
      'admin keys may register a command (`stdio`) over REST, which the hub then runs: remote code execution by design, off by default; embedded database only',
  }),
  services: key(
    z
      .array(
        z.union([stdioServiceSchema, httpServiceSchema], {
          error:
            'a stdio service {name, command, args, env, cwd, tool_prefix, tags} or an HTTP service {name, url, headers, namespace, tool_prefix, tags, shared_session}',
        }),
      )
      .default([]),
    {
      description:
        'MCP servers the hub federates from the start (config file only): launched over stdio [{name, command, args, env, cwd, tool_prefix, tags}] or reached over HTTP [{name, url, headers, namespace, tool_prefix, tags, shared_session}]',
    },
  ),
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

/** Whether the hub listens only where this machine alone can reach it (127.0.0.0/8, ::1). */
export function listensOnLoopbackOnly(config: Pick<HubConfig, 'host'>): boolean {
  const host = config.host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Why this configuration must not start, if it would expose the hub without API keys: checked when
 * the configuration is read (before the database loads) and again by the access control itself.
 */
export function unauthenticatedExposure(config: Pick<HubConfig, 'host' | 'auth'>): string | undefined {
  if (listensOnLoopbackOnly(config) || config.auth.keys.length > 0 || config.auth.allowUnauthenticated)
    return undefined;
  return `the hub listens on ${config.host}, beyond loopback, and no API keys are configured: set FIN_HUB_API_KEYS (docs/security.md) or --allow-unauthenticated`;
}
