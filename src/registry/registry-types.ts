/** One service instance as the registry stores and shows it. */
export interface ServiceRecord {
  service_id: string;
  service_name: string;
  address: string;
  port: number;
  mcp_url: string | null;
  version: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  tool_prefix: string | null;
  health_check_url: string | null;
  health_check_interval: number;
  is_healthy: boolean;
  consecutive_failures: number;
  last_health_check: Date | null;
  last_failure_reason: string | null;
  weight: number;
  current_load: number;
  registered_at: Date;
  updated_at: Date;
  last_seen: Date;
  ttl_seconds: number;
  is_active: boolean;
  /** The identity that first registered it; only it (or an admin) may change it. */
  owner: string | null;
}

/** One tool of one instance. `name` is the MCP name the hub exposes; `upstream_name` the spoke's own. */
export interface ToolRecord {
  service_id: string;
  name: string;
  upstream_name: string;
  description: string | null;
  category: string | null;
  version: string | null;
  tags: string[];
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown> | null;
  annotations: Record<string, unknown> | null;
  timeout_seconds: number | null;
  retry_attempts: number | null;
  total_executions: string;
  successful_executions: string;
  average_duration_ms: number;
  last_executed: Date | null;
  is_enabled: boolean;
}

/** The MCP endpoint of an instance: its `mcp_url`, else `http://{address}:{port}/mcp`. */
export function mcpEndpointOf(service: Pick<ServiceRecord, 'mcp_url' | 'address' | 'port'>): string {
  if (service.mcp_url) return service.mcp_url;
  const host = service.address.includes(':') ? `[${service.address}]` : service.address;
  return `http://${host}:${service.port}/mcp`;
}

/** The health-check URL of an instance: its `health_check.http`, else `http://{address}:{port}/health`. */
export function healthUrlOf(service: Pick<ServiceRecord, 'health_check_url' | 'address' | 'port'>): string {
  if (service.health_check_url) return service.health_check_url;
  const host = service.address.includes(':') ? `[${service.address}]` : service.address;
  return `http://${host}:${service.port}/health`;
}
