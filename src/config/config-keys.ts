import { z } from 'zod';
import { booleanish, configSchema, type KeyMeta } from './config-schema.js';

/** One configuration key as every consumer sees it: the loader, `--help` and the docs tables. */
export interface ConfigKey extends KeyMeta {
  /** Where the key sits in the config object (and the JSON config file). */
  path: string[];
  /** Takes no value on the command line (`--stdio`). */
  boolean: boolean;
  /** The default as docs show it. */
  defaultText: string;
}

type AnySchema = z.core.$ZodType;

/** The schema under default/prefault/optional wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: AnySchema };
    if ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional') && def.innerType) {
      current = def.innerType;
    } else return current;
  }
}

function describeDefault(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.length === 0 ? '' : value.join(',');
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

function walk(shape: Record<string, AnySchema>, path: string[], defaults: unknown, out: ConfigKey[]): void {
  for (const [name, schema] of Object.entries(shape)) {
    const here = [...path, name];
    const inner = unwrap(schema);
    const value = (defaults as Record<string, unknown> | undefined)?.[name];
    if (inner instanceof z.ZodObject) {
      walk(inner.shape as Record<string, AnySchema>, here, value, out);
      continue;
    }
    const meta = z.globalRegistry.get(schema as z.ZodType) as KeyMeta | undefined;
    if (!meta?.description) throw new Error(`config key ${here.join('.')} has no description`);
    out.push({
      ...meta,
      path: here,
      boolean: inner === booleanish,
      defaultText: meta.defaultText ?? describeDefault(value),
    });
  }
}

/** Every key of the configuration, in schema order. */
export const CONFIG_KEYS: readonly ConfigKey[] = (() => {
  const out: ConfigKey[] = [];
  walk(configSchema.shape as Record<string, AnySchema>, [], configSchema.parse({}), out);
  return out;
})();

/** Flags the CLI accepts for configuration, with whether each takes a value. */
export function configFlags(): { name: string; boolean: boolean }[] {
  return CONFIG_KEYS.flatMap((k) => [
    ...(k.flag ? [{ name: k.flag, boolean: k.boolean }] : []),
    ...(k.negativeFlag ? [{ name: k.negativeFlag, boolean: true }] : []),
  ]);
}

/** The options part of `fin-hub --help`. */
export function flagHelp(): string {
  const rows = CONFIG_KEYS.flatMap((k) => {
    const out: [string, string][] = [];
    if (k.flag) {
      const arg = k.boolean ? '' : ' <value>';
      const dflt = k.defaultText && !k.boolean ? ` (default ${k.defaultText})` : '';
      out.push([`--${k.flag}${arg}`, `${plain(k.description)}${dflt}`]);
    }
    if (k.negativeFlag) out.push([`--${k.negativeFlag}`, plain(k.description)]);
    return out;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join('\n');
}

function plain(markdown: string): string {
  return markdown.replaceAll('`', '');
}

/** A Markdown table of the keys: those with a flag or environment variable, or all of them. */
export function markdownTable(which: 'cli-and-env' | 'all'): string {
  const keys = CONFIG_KEYS.filter((k) => which === 'all' || k.flag || k.env || k.negativeFlag);
  const cell = (text: string | undefined) => (text ? text.replaceAll('|', '\\|') : '');
  const lines = [
    which === 'all'
      ? '| config file key | flag | environment | default | meaning |'
      : '| flag | environment | default | meaning |',
    which === 'all' ? '|---|---|---|---|---|' : '|---|---|---|---|',
  ];
  for (const k of keys) {
    const flags = [k.flag && `\`--${k.flag}\``, k.negativeFlag && `\`--${k.negativeFlag}\``]
      .filter(Boolean)
      .join(', ');
    const envs = [k.env && `\`${k.env}\``, k.envFallback && `\`${k.envFallback}\``]
      .filter(Boolean)
      .join(', ');
    const dflt = k.defaultText ? `\`${k.defaultText}\`` : '';
    const cells = [flags, envs, dflt, cell(k.description)];
    if (which === 'all') cells.unshift(`\`${k.path.join('.')}\``);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
