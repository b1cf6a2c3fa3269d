import { readFileSync } from 'node:fs';
import { type ZodError, z } from 'zod';
import { CONFIG_KEYS, configFlags } from './config-keys.js';
import { configSchema, type HubConfig, unauthenticatedExposure } from './config-schema.js';

/** Flags the CLI accepts besides those of configuration keys. */
const EXTRA_FLAGS = [{ name: 'config', boolean: false }];

/** Every configuration flag the CLI accepts, with whether it takes a value (from config-keys.ts). */
export const CONFIG_FLAGS: readonly { name: string; boolean: boolean }[] = [...configFlags(), ...EXTRA_FLAGS];

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
  for (const key of CONFIG_KEYS) {
    const fromEnv = key.env ? env[key.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') setPath(raw, key.path, fromEnv);
    else if (key.envFallback && env[key.envFallback] && getPath(raw, key.path) === undefined) {
      setPath(raw, key.path, env[key.envFallback]);
    }
    const fromFlag = key.flag ? flags[key.flag] : undefined;
    if (fromFlag !== undefined) setPath(raw, key.path, fromFlag);
    if (key.negativeFlag && flags[key.negativeFlag] === true) setPath(raw, key.path, false);
  }
  return parseConfig(raw);
}

/** Validates an already assembled configuration object (tests and embedders use this directly). */
export function parseConfig(raw: unknown): HubConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(describeConfigError(result.error, raw));
  const exposure = unauthenticatedExposure(result.data);
  if (exposure) throw new ConfigError(exposure);
  return result.data;
}

export { defaultDataDir } from './default-data-dir.js';

function describeConfigError(error: ZodError, raw: unknown): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    // The value as given (before coercion), found by walking the raw input along the issue path.
    let given: unknown = raw;
    let within: string | undefined;
    for (const part of issue.path) {
      // A list given as text ("market,foo" from a flag or a variable): the item is the n-th entry.
      if (typeof given === 'string' && typeof part === 'number') {
        within = given;
        given = given.split(',')[part]?.trim();
      } else given = (given as Record<PropertyKey, unknown> | undefined)?.[part as string];
    }
    const received = given === undefined ? 'nothing' : JSON.stringify(given);
    const where = within === undefined ? '' : ` in ${JSON.stringify(within)}`;
    const expected = issue.message.replace(/^Invalid (option|input): expected /, '');
    return `  ${key}: received ${received}${where}; expected ${expected}`;
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
  const unknown = unknownKeys(parsed.data, []);
  if (unknown.length > 0)
    throw new ConfigError(
      `config file ${path}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} ` +
        '(a misspelt key would be ignored; docs/configuration.md lists every key)',
    );
  return parsed.data;
}

/** Keys of a config file that name no configuration key (nested objects walked along known paths). */
function unknownKeys(node: Record<string, unknown>, at: string[]): string[] {
  return Object.entries(node).flatMap(([name, value]) => {
    const path = [...at, name];
    const exact = CONFIG_KEYS.some((key) => key.path.join('.') === path.join('.'));
    if (exact) return [];
    const prefix = CONFIG_KEYS.some((key) => key.path.slice(0, path.length).join('.') === path.join('.'));
    if (prefix && typeof value === 'object' && value !== null && !Array.isArray(value))
      return unknownKeys(value as Record<string, unknown>, path);
    return [path.join('.')];
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function getPath(source: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = source;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
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
