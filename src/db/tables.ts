import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

type Json<T extends object | null> = JSONColumnType<T, string, string>;

export interface ServicesTable {
  service_id: string;
  service_name: string;
  address: string;
  port: number;
  mcp_url: string | null;
  version: string | null;
  tags: Json<string[]>;
  meta: Json<Record<string, unknown>>;
  tool_prefix: string | null;
  health_check_url: string | null;
  health_check_interval: number;
  is_healthy: Generated<boolean>;
  consecutive_failures: Generated<number>;
  last_health_check: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_failure_reason: string | null;
  weight: number;
  current_load: Generated<number>;
  registered_at: Timestamp;
  updated_at: Timestamp;
  last_seen: Timestamp;
  ttl_seconds: number;
  is_active: Generated<boolean>;
  /** The identity that first registered it (null: registered before ownership existed). */
  owner: string | null;
  /** Its tools came from the server's tools/list, and follow it (migration 0004). */
  tools_discovered: Generated<boolean>;
  /** Credential headers for the upstream, sealed (src/shared/secret-box.ts; migration 0005). */
  upstream_headers_sealed: string | null;
  /** Its tools are exposed as `<namespace>__<name>` (migration 0006). */
  namespace: string | null;
  /** It keeps no per-session state: every caller shares one upstream session (migration 0007). */
  shared_session: Generated<boolean>;
}

export interface ToolsTable {
  service_id: string;
  name: string;
  upstream_name: string;
  description: string | null;
  category: string | null;
  version: string | null;
  tags: Json<string[]>;
  input_schema: Json<Record<string, unknown>>;
  output_schema: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  annotations: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  timeout_seconds: number | null;
  retry_attempts: number | null;
  total_executions: ColumnType<string, never, string | number>;
  successful_executions: ColumnType<string, never, string | number>;
  average_duration_ms: ColumnType<number, never, number>;
  last_executed: ColumnType<Date | null, never, Date | string>;
  is_enabled: Generated<boolean>;
}

export interface ToolExecutionsTable {
  execution_id: string;
  correlation_id: string;
  tool_id: string;
  service_id: string | null;
  service_name: string | null;
  input_data: ColumnType<unknown, string | null, string | null>;
  output_data: ColumnType<unknown, string | null, string | null>;
  error_data: ColumnType<unknown, string | null, string | null>;
  status: 'running' | 'success' | 'error' | 'timeout' | 'cancelled' | 'rejected';
  attempts: number;
  started_at: Timestamp;
  completed_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  duration_ms: number | null;
  user_agent: string | null;
  ip_address: string | null;
}

interface RegistryAuditTable {
  audit_id: Generated<string>;
  at: Generated<Date>;
  identity: string;
  address: string | null;
  action: string;
  service_id: string | null;
  service_name: string | null;
  outcome: string;
  details: Json<Record<string, unknown>> | null;
}

/** The database as Kysely sees it. */
/** rate-limiter-flexible's counters (migration 0003); the library reads and writes them. */
interface RateLimitsTable {
  key: string;
  points: number;
  /** Epoch milliseconds (a bigint column). */
  expire: string | null;
}

export interface Database {
  rate_limits: RateLimitsTable;
  services: ServicesTable;
  tools: ToolsTable;
  tool_executions: ToolExecutionsTable;
  registry_audit: RegistryAuditTable;
}
