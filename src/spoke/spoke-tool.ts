import type { CallToolResult, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';

/** One tool of a spoke: a zod input shape, annotations that tell the hub whether retries are safe, a handler. */
export interface SpokeTool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title?: string;
  description: string;
  /** Category shown in the hub's catalogue (e.g. "market", "risk"). */
  category?: string;
  tags?: string[];
  inputSchema: Shape;
  /**
   * `readOnlyHint` or `idempotentHint` lets the hub retry a call that may have reached the spoke.
   * Leave them unset for tools with side effects.
   */
  annotations?: ToolAnnotations;
  /** Per-call deadline the hub applies, in seconds. */
  timeoutSeconds?: number;
  /**
   * `ctx` is the official SDK v2's request context: `ctx.mcpReq.signal` (the call was cancelled),
   * `ctx.mcpReq.notify` (progress), `ctx.mcpReq._meta`, and in the handshake era the push-style
   * requests (`ctx.mcpReq.elicitInput`, `requestSampling`, `send`).
   */
  handler: (
    args: z.infer<z.ZodObject<Shape>>,
    ctx: ServerContext,
  ) => Promise<CallToolResult> | CallToolResult;
}

/** Identity helper that keeps the handler's argument types tied to the shape. */
export function defineTool<Shape extends z.ZodRawShape>(tool: SpokeTool<Shape>): SpokeTool {
  return tool as unknown as SpokeTool;
}

/** A JSON result as MCP content: pretty text for models plus structuredContent for programs. */
export function jsonResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** A tool error (isError) with a message a model can act on. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
