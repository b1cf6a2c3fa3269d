import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { ExecuteRequest } from './engine.js';
import type { ExecutionRecord } from './execution-record.js';

/** What a tool the hub serves itself gets besides its arguments. */
export interface LocalToolContext {
  signal: AbortSignal;
  correlationId: string;
  caller: ExecuteRequest['caller'];
  /** The caller's session, for a registered tool the hub tool calls in turn (hub_call_tool). */
  relay?: ExecuteRequest['relay'];
  /** The engine's own entry point: a hub tool that calls a registered tool (hub_call_tool). */
  execute: (request: ExecuteRequest) => Promise<ExecutionRecord>;
}

/**
 * A tool served by the hub itself, not by a registered server (the hub tools of
 * src/hub-tools/). The engine runs it like any call: argument validation against its schema,
 * cancellation, one history row (service `fin-hub`, no instance).
 */
export interface LocalTool {
  definition: Tool;
  run(args: Record<string, unknown>, context: LocalToolContext): Promise<CallToolResult>;
}

/** The service name history rows and lists show for the hub's own tools. */
export const HUB_SERVICE_NAME = 'fin-hub';
