/**
 * Limits on JSON that enters the hub by any path (REST and /mcp bodies, stdio messages, tool
 * arguments, spoke answers). `JSON.parse` is iterative in V8 and survives any nesting, but
 * `JSON.stringify`, ajv, zod and PostgreSQL's jsonb recurse: a value nested a few thousand levels
 * deep overflows their stacks. So every value is measured right after parsing, without recursion,
 * and refused before anything recursive sees it.
 */

/** Deepest nesting of a JSON value the hub accepts (an MCP message's envelope included). */
export const MAX_JSON_DEPTH = 64;

/** True when a parsed JSON value nests deeper than `limit` levels (walked iteratively). */
export function nestsDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

// U+0000 (PostgreSQL text and jsonb cannot hold it) and UTF-16 surrogates without their pair.
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (key or value) a database cannot store as text: U+0000 or a lone
 * UTF-16 surrogate. Undefined when there is none.
 */
export function unstorableStringPath(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return path || '(root)';
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return childPath;
      stack.push([child, childPath]);
    }
  }
  return undefined;
}

/** What replaces a payload the hub cannot keep. */
export function unstorablePlaceholder(reason: string): { 'fin-hub/unstorable': string } {
  return { 'fin-hub/unstorable': reason };
}
