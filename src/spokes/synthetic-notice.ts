import type { CallToolResult } from '@modelcontextprotocol/server';
import type { SpokeTool } from '../spoke/spoke-tool.js';

/** The first line of every result built (even partly) on synthetic series. */
const SYNTHETIC_NOTICE = 'SYNTHETIC DATA:';

/**
 * The symbols whose series a result used that are synthetic: every object in it whose `kind` is
 * `synthetic` (a series' `source`), named by its own or its parent's `symbol`. Bounded: results
 * are JSON the spoke built itself.
 */
function syntheticSymbols(
  value: unknown,
  parentSymbol?: string,
  found = new Set<string>(),
  depth = 0,
): Set<string> {
  if (depth > 8 || value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    for (const item of value) syntheticSymbols(item, parentSymbol, found, depth + 1);
    return found;
  }
  const record = value as Record<string, unknown>;
  const symbol = typeof record.symbol === 'string' ? record.symbol : parentSymbol;
  if (record.kind === 'synthetic') found.add(symbol ?? 'unnamed series');
  for (const child of Object.values(record)) syntheticSymbols(child, symbol, found, depth + 1);
  return found;
}

/**
 * A result that used synthetic series says so in its first line of text, not only in a nested
 * `source` field, so a model reading the answer cannot miss it (issue #16).
 */
function withSyntheticNotice(result: CallToolResult): CallToolResult {
  if (result.isError || !result.structuredContent) return result;
  const symbols = syntheticSymbols(result.structuredContent);
  if (symbols.size === 0) return result;
  const line = `${SYNTHETIC_NOTICE} built on synthetic series for ${[...symbols].sort().join(', ')} (a seeded model on real S&P 500 returns), not market data.`;
  const [first, ...rest] = result.content;
  const text = first?.type === 'text' ? `${line}\n${first.text}` : line;
  return {
    ...result,
    content: [{ type: 'text', text }, ...(first?.type === 'text' ? rest : result.content)],
  };
}

/** The same tools, each result passed through withSyntheticNotice. */
export function announcingSyntheticData(tools: SpokeTool[]): SpokeTool[] {
  return tools.map((tool) => ({
    ...tool,
    handler: async (args, ctx) => withSyntheticNotice(await tool.handler(args, ctx)),
  }));
}
