import type { CallToolResult } from '@modelcontextprotocol/server';

export type ExecutionStatus = 'running' | 'success' | 'error' | 'timeout' | 'cancelled' | 'rejected';

/** One call as the engine tracks it and as `GET /executions/{id}` shows it. */
export interface ExecutionRecord {
  execution_id: string;
  correlation_id: string;
  tool_id: string;
  service_id: string | null;
  service_name: string | null;
  status: ExecutionStatus;
  arguments: Record<string, unknown>;
  result?: CallToolResult;
  error: { code: string; message: string } | null;
  attempts: number;
  started_at: Date;
  completed_at: Date | null;
  duration_ms: number | null;
  user_agent: string | null;
  ip_address: string | null;
}
