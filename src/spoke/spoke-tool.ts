import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
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
  handler: (
    args: z.infer<z.ZodObject<Shape>>,
    extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
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
