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
  /** Its tools came from the server's own tools/list; they are listed again when it says they changed. */
  tools_discovered: boolean;
  /** The headers the hub sends the upstream (credentials), sealed; never shown. */
  upstream_headers_sealed: string | null;
  /** Its tools are exposed as `<namespace>__<name>`; null: under their own names (or tool_prefix). */
  namespace: string | null;
  /** It keeps no per-session state: every hub caller shares one upstream session with it. */
  shared_session: boolean;
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

/**
 * The name a service's tool (or prompt) is exposed under: `<tool_prefix>_<name>`,
 * `<namespace>__<name>`, or its own. Deterministic — a function of the registration alone, never
 * of what registered first.
 */
export function exposedName(
  name: string,
  prefix: string | null | undefined,
  namespace: string | null | undefined,
): string {
  if (prefix) return `${prefix}_${name}`;
  if (namespace) return `${namespace}__${name}`;
  return name;
}

const STDIO_PREFIX = 'stdio:';

/** The endpoint of a stdio service the hub launched (config `services`): its mcp_url. */
export function stdioEndpoint(name: string): string {
  return `${STDIO_PREFIX}${name}`;
}

/** The service name of a stdio endpoint, or undefined for an HTTP one. */
export function stdioNameOf(endpoint: string): string | undefined {
  return endpoint.startsWith(STDIO_PREFIX) ? endpoint.slice(STDIO_PREFIX.length) : undefined;
}

/** The MCP endpoint of an instance: its `mcp_url`, else `http://{address}:{port}/mcp`. */
export function mcpEndpointOf(service: Pick<ServiceRecord, 'mcp_url' | 'address' | 'port'>): string {
  if (service.mcp_url) return service.mcp_url;
  const host = service.address.includes(':') ? `[${service.address}]` : service.address;
  return `http://${host}:${service.port}/mcp`;
}

/**
 * How an instance's health is checked: over HTTP at the URL its registration names
 * (`health_check.http`), otherwise over MCP itself at its endpoint — most MCP servers have no
 * `/health`, and they must not vanish for it (SPEC §4).
 */
export type HealthProbe = { kind: 'http'; url: string } | { kind: 'mcp'; endpoint: string };

export function healthProbeOf(
  service: Pick<ServiceRecord, 'health_check_url' | 'mcp_url' | 'address' | 'port'>,
): HealthProbe {
  if (service.health_check_url) return { kind: 'http', url: service.health_check_url };
  return { kind: 'mcp', endpoint: mcpEndpointOf(service) };
}
