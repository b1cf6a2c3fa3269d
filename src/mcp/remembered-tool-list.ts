import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../logger.js';

/**
 * The tool list a stdio hub serves: the hub's own tools leading the first page, then the
 * registered tools sorted by name (the order cursors page through).
 */
export interface ToolList {
  lead: Tool[];
  tools: Tool[];
}

/** What a desktop hub's stdio front remembers between runs (a file beside its data directory). */
export interface ToolListMemory {
  /** The list the last run served, when it was written for this same command and version. */
  remembered: ToolList | undefined;
  /** Keeps `list` for the next run (written only when it differs from what the file holds). */
  remember(list: ToolList): void;
}

interface ToolListFile extends ToolList {
  /** Which hub configuration and version wrote it: another one ignores it. */
  key: string;
}

/** Where the list of the hub on `dataDir` is kept: beside it, as its lock is (PostgreSQL owns what is inside). */
export function toolListFileOf(dataDir: string): string {
  return `${dataDir}.tools.json`;
}

/** The key of a configuration: a hub started differently (other spokes, services, options) or upgraded lists other tools. */
export function toolListKey(version: string, config: unknown): string {
  return createHash('sha256').update(version).update('\0').update(JSON.stringify(config)).digest('hex');
}

/**
 * A desktop client starts `fin-hub --stdio` and lists the tools once: the hub remembers the list it
 * served last time so that this first tools/list is answered while the embedded database opens and
 * its spokes register (bench/desktop.ts: from about 1.3 s to about the time of `initialize`). Only
 * for a hub on its own locked data directory, which is the only writer of the registry it lists
 * (docs/decisions.md); the front says list_changed once the live list differs, and calls wait for
 * the hub as before.
 *
 * Read once, synchronously, when the front opens (one small file before the first request). Writes
 * go to a temporary file renamed over the old one, one at a time, so a hub killed mid-write leaves
 * the previous list whole.
 */
export function openToolListMemory(options: {
  file: string;
  key: string;
  logger: Logger;
  /** A new data directory: a list left beside an older one that was deleted is not its registry's. */
  fresh?: boolean;
}): ToolListMemory {
  const { file, key, logger } = options;
  let written: string | undefined;
  let remembered: ToolList | undefined;
  if (!options.fresh)
    try {
      const text = readFileSync(file, 'utf8');
      const parsed = parseToolListFile(text);
      if (parsed?.key === key) {
        // Sorted as the live list is, whatever the file holds: cursors are names (mcp-server-factory.ts).
        const tools = [...parsed.tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        remembered = { lead: parsed.lead, tools };
        written = text;
      } else if (parsed === undefined)
        logger.warn('the remembered tool list is unreadable: ignored', { file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.warn('the remembered tool list could not be read', { file, error: String(error) });
    }
  let writing: Promise<void> = Promise.resolve();
  return {
    remembered,
    remember(list: ToolList): void {
      const text = JSON.stringify({ key, lead: list.lead, tools: list.tools } satisfies ToolListFile);
      if (text === written) return;
      written = text;
      const temporary = `${file}.${process.pid}.tmp`;
      writing = writing
        // The owner's only: the key is a digest of a configuration that may hold secrets.
        .then(() => writeFile(temporary, text, { mode: 0o600 }))
        .then(() => rename(temporary, file))
        .catch((error) =>
          logger.warn('the tool list could not be remembered', { file, error: String(error) }),
        );
    },
  };
}

/** A file as written by `remember`, or undefined for anything else (hand-edited, truncated, older format). */
function parseToolListFile(text: string): ToolListFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = value as Partial<ToolListFile> | null;
  const isToolArray = (tools: unknown): tools is Tool[] =>
    Array.isArray(tools) &&
    tools.every(
      (tool) => typeof tool === 'object' && tool !== null && typeof (tool as Tool).name === 'string',
    );
  if (typeof file?.key !== 'string' || !isToolArray(file.lead) || !isToolArray(file.tools)) return undefined;
  return file as ToolListFile;
}
