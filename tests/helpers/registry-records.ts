import type { ServiceWrite } from '../../src/registry/registry-repository.js';
import type { ServiceRecord, ToolRecord } from '../../src/registry/registry-types.js';

/** A service row as the repository returns it, with test defaults (active, healthy, 60 s TTL). */
export function serviceRecord(id: string, overrides: Partial<ServiceRecord> = {}): ServiceRecord {
  const now = new Date();
  return {
    service_id: id,
    service_name: id.split('-')[0]!,
    address: '127.0.0.1',
    port: 1,
    mcp_url: null,
    version: null,
    tags: [],
    meta: {},
    tool_prefix: null,
    health_check_url: null,
    health_check_interval: 30,
    is_healthy: true,
    consecutive_failures: 0,
    last_health_check: null,
    last_failure_reason: null,
    weight: 1,
    current_load: 0,
    registered_at: now,
    updated_at: now,
    last_seen: now,
    ttl_seconds: 60,
    is_active: true,
    owner: null,
    tools_discovered: false,
    upstream_headers_sealed: null,
    namespace: null,
    shared_session: false,
    ...overrides,
  };
}

/** A tool row of one instance, with empty statistics. */
export function toolRecord(serviceId: string, name: string, overrides: Partial<ToolRecord> = {}): ToolRecord {
  return {
    service_id: serviceId,
    name,
    upstream_name: name,
    description: null,
    category: null,
    version: null,
    tags: [],
    input_schema: { type: 'object' },
    output_schema: null,
    annotations: null,
    timeout_seconds: null,
    retry_attempts: null,
    total_executions: '0',
    successful_executions: '0',
    average_duration_ms: 0,
    last_executed: null,
    is_enabled: true,
    ...overrides,
  };
}

/** A registration as the repository writes it, made of the records above: what a spoke sends. */
export function serviceWrite(
  id: string,
  toolNames: string[],
  overrides: Partial<ServiceWrite> = {},
): ServiceWrite {
  const {
    is_healthy,
    consecutive_failures,
    last_health_check,
    last_failure_reason,
    current_load,
    registered_at,
    updated_at,
    last_seen,
    is_active,
    owner,
    ...write
  } = serviceRecord(id);
  const tools = toolNames.map((name) => {
    const {
      service_id,
      total_executions,
      successful_executions,
      average_duration_ms,
      last_executed,
      is_enabled,
      ...tool
    } = toolRecord(id, name);
    return tool;
  });
  return { ...write, tools, ...overrides };
}
