import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ZodError, z } from 'zod';
import { configSchema, type HubConfig } from './config-schema.js';

/** Where a configuration key can come from: a CLI flag and an environment variable. */
interface KeySource {
  path: string[];
  flag?: string;
  env?: string;
}

const SOURCES: KeySource[] = [
  { path: ['host'], flag: 'host', env: 'FIN_HUB_HOST' },
  { path: ['port'], flag: 'port', env: 'FIN_HUB_PORT' },
  { path: ['db'], flag: 'db', env: 'FIN_HUB_DB' },
  { path: ['dbSchema'], flag: 'db-schema', env: 'FIN_HUB_DB_SCHEMA' },
  { path: ['logLevel'], flag: 'log-level', env: 'FIN_HUB_LOG_LEVEL' },
  { path: ['stdio'], flag: 'stdio' },
  { path: ['http'], flag: 'http', env: 'FIN_HUB_HTTP' },
  { path: ['spokes'], flag: 'spokes', env: 'FIN_HUB_SPOKES' },
  { path: ['bodyLimitBytes'], flag: 'body-limit', env: 'FIN_HUB_BODY_LIMIT' },
  { path: ['engine', 'balancer'], flag: 'balancer', env: 'FIN_HUB_BALANCER' },
  {
    path: ['engine', 'instanceConcurrency'],
    flag: 'instance-concurrency',
    env: 'FIN_HUB_INSTANCE_CONCURRENCY',
  },
  {
    path: ['engine', 'instanceMaxPending'],
    flag: 'instance-max-pending',
    env: 'FIN_HUB_INSTANCE_MAX_PENDING',
  },
  { path: ['engine', 'breakerFailureThreshold'], env: 'FIN_HUB_BREAKER_FAILURES' },
  { path: ['engine', 'breakerResetMs'], env: 'FIN_HUB_BREAKER_RESET_MS' },
  { path: ['engine', 'defaultTimeoutSeconds'], env: 'FIN_HUB_DEFAULT_TIMEOUT_SECONDS' },
  { path: ['engine', 'defaultRetryAttempts'], env: 'FIN_HUB_DEFAULT_RETRY_ATTEMPTS' },
  { path: ['health', 'defaultIntervalSeconds'], env: 'FIN_HUB_HEALTH_INTERVAL_SECONDS' },
  { path: ['health', 'timeoutMs'], env: 'FIN_HUB_HEALTH_TIMEOUT_MS' },
  { path: ['health', 'failureThreshold'], env: 'FIN_HUB_HEALTH_FAILURE_THRESHOLD' },
  { path: ['health', 'defaultTtlSeconds'], env: 'FIN_HUB_DEFAULT_TTL_SECONDS' },
  { path: ['mcp', 'sessionIdleMs'], env: 'FIN_HUB_SESSION_IDLE_MS' },
  { path: ['mcp', 'allowedHosts'], flag: 'allowed-hosts', env: 'FIN_HUB_ALLOWED_HOSTS' },
  { path: ['mcp', 'allowedOrigins'], flag: 'allowed-origins', env: 'FIN_HUB_ALLOWED_ORIGINS' },
  { path: ['auth', 'keys'], env: 'FIN_HUB_API_KEYS' },
  {
    path: ['auth', 'allowUnauthenticated'],
    flag: 'allow-unauthenticated',
    env: 'FIN_HUB_ALLOW_UNAUTHENTICATED',
  },
  { path: ['rateLimit', 'registryWritesPerMinute'], env: 'FIN_HUB_RATE_REGISTRY_WRITES' },
  { path: ['rateLimit', 'toolCallsPerMinute'], env: 'FIN_HUB_RATE_TOOL_CALLS' },
  { path: ['rateLimit', 'maxInstances'], env: 'FIN_HUB_MAX_INSTANCES' },
  { path: ['shutdownDeadlineMs'], env: 'FIN_HUB_SHUTDOWN_DEADLINE_MS' },
];

/** Flags that take no value. */
export const BOOLEAN_FLAGS = new Set(['stdio', 'allow-unauthenticated']);
export const CONFIG_FLAGS = new Set(
  SOURCES.flatMap((s) => (s.flag ? [s.flag] : [])).concat('config', 'no-http'),
);

/** Thrown when the configuration is invalid; its message names each key, the value and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from (highest first) CLI flags, environment variables, a JSON config
 * file (`--config` or `FIN_HUB_CONFIG`) and defaults. The only reader of `process.env` in `src/`.
 */
export function loadConfig(
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): HubConfig {
  const raw: Record<string, unknown> = {};
  const configFile = (flags.config as string | undefined) ?? env.FIN_HUB_CONFIG;
  if (configFile) Object.assign(raw, readConfigFile(configFile));
  for (const source of SOURCES) {
    const fromEnv = source.env ? env[source.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') setPath(raw, source.path, fromEnv);
    const fromFlag = source.flag ? flags[source.flag] : undefined;
    if (fromFlag !== undefined) setPath(raw, source.path, fromFlag);
  }
  if (flags['no-http'] === true) raw.http = false;
  if (raw.db === undefined && env.DATABASE_URL) raw.db = env.DATABASE_URL;
  return parseConfig(raw);
}

/** Validates an already assembled configuration object (tests and embedders use this directly). */
export function parseConfig(raw: unknown): HubConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(describeConfigError(result.error, raw));
  return result.data;
}

/** The default directory of the embedded database. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FIN_HUB_HOME ? join(env.FIN_HUB_HOME, 'data') : join(homedir(), '.fin-hub', 'data');
}

function describeConfigError(error: ZodError, raw: unknown): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    // The value as given (before coercion), found by walking the raw input along the issue path.
    let given: unknown = raw;
    for (const part of issue.path)
      given = (given as Record<PropertyKey, unknown> | undefined)?.[part as string];
    const received = given === undefined ? 'nothing' : JSON.stringify(given);
    return `  ${key}: received ${received}; expected ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path} cannot be read: ${(error as Error).message}`);
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(safeJson(text));
  if (!parsed.success) throw new ConfigError(`config file ${path} must hold a JSON object`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
