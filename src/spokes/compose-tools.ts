import type { ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { SpokeTool } from '../spoke/spoke-tool.js';
import { ToolInputError } from './series-input.js';

/**
 * Runs another tool of the spokes from inside a tool (the dispatcher and the dashboards are built
 * from the tools they combine, as the original's were): its arguments checked and defaulted by its
 * own schema, its structured result returned, its tool error raised again as this tool's.
 */
export async function runTool(
  tool: SpokeTool,
  args: Record<string, unknown>,
  ctx: ServerContext,
): Promise<Record<string, unknown>> {
  const parsed = z.object(tool.inputSchema).safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ToolInputError(`${tool.name}: ${issue.path.join('.') || 'arguments'}: ${issue.message}`);
  }
  const result = await tool.handler(parsed.data, ctx);
  if (result.isError) {
    const text = result.content.find((c) => c.type === 'text');
    throw new ToolInputError(text?.type === 'text' ? text.text : `${tool.name} failed`);
  }
  return (result.structuredContent ?? {}) as Record<string, unknown>;
}
