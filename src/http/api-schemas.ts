import { z } from 'zod';
import { serviceIdSchema, toolNameSchema } from '../registry/registration-schema.js';

/** Schemas of REST responses and query strings, shared by the routes and the OpenAPI document. */

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const limit = z.coerce.number().int().min(1).max(500).default(50);

export const serviceIdParams = z.object({ id: serviceIdSchema });
export const toolIdParams = z.object({ id: toolNameSchema });
export const executionIdParams = z.object({ id: z.string().min(1).max(64) });

export const listServicesQuery = z.object({
  name: z.string().max(128).optional(),
  tag: z.string().max(64).optional(),
  healthy: queryBoolean.optional(),
  active: queryBoolean.optional(),
  limit,
  cursor: z.string().max(512).optional(),
});

export const listToolsQuery = z.object({
  q: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .meta({ description: 'words to search for: the best matches first, one page (no cursor)' }),
  category: z.string().max(64).optional(),
  tag: z.string().max(64).optional(),
  service: z.string().max(128).optional(),
  limit,
  cursor: z.string().max(512).optional(),
});

export const listExecutionsQuery = z.object({
  tool: z.string().max(128).optional(),
  service: z.string().max(128).optional(),
  status: z.enum(['running', 'success', 'error', 'timeout', 'cancelled', 'rejected']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit,
  cursor: z.string().max(512).optional(),
});

export const listAuditQuery = z.object({
  service_id: z.string().max(256).optional(),
  limit,
  cursor: z.string().max(512).optional(),
});

export const auditEntrySchema = z.object({
  audit_id: z.string(),
  at: z.string(),
  identity: z.string(),
  address: z.string().nullable(),
  action: z.enum(['register', 'deregister', 'expire']),
  service_id: z.string().nullable(),
  service_name: z.string().nullable(),
  outcome: z.enum(['ok', 'forbidden', 'conflict', 'invalid', 'not_found', 'failed']),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const executeToolBody = z.object({
  arguments: z.record(z.string(), z.unknown()).default({}),
  // The example is what Swagger's "Try it out" pre-fills (it took the minimum, 0.001 s, otherwise).
  timeout_seconds: z.number().min(0.001).max(3600).optional().meta({ example: 30 }),
});

export const serviceSchema = z.object({
  service_id: z.string(),
  service_name: z.string(),
  address: z.string(),
  port: z.number(),
  mcp_url: z.string().nullable(),
  version: z.string().nullable(),
  tags: z.array(z.string()),
  meta: z.record(z.string(), z.unknown()),
  tool_prefix: z.string().nullable(),
  health_check_url: z.string().nullable(),
  health_check_interval: z.number(),
  is_healthy: z.boolean(),
  consecutive_failures: z.number(),
  last_health_check: z.string().nullable(),
  last_failure_reason: z.string().nullable(),
  weight: z.number(),
  current_load: z.number(),
  registered_at: z.string(),
  updated_at: z.string(),
  last_seen: z.string(),
  ttl_seconds: z.number(),
  is_active: z.boolean(),
  owner: z.string().nullable().meta({ description: 'the identity (API key name) that registered it first' }),
  namespace: z.string().nullable().meta({ description: 'its tools are exposed as <namespace>__<name>' }),
  shared_session: z.boolean().meta({
    description:
      'it keeps no per-session state: every caller shares one upstream session (otherwise one per MCP session)',
  }),
  upstream_credentials: z.boolean().meta({
    description: 'the registration gave credential headers for the upstream (stored sealed, never shown)',
  }),
  tools_discovered: z.boolean().meta({
    description:
      "its tools came from the server's tools/list, and are listed again when the server says they changed",
  }),
});

export const toolSchema = z.object({
  name: z.string(),
  service_name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  input_schema: z.record(z.string(), z.unknown()),
  output_schema: z.record(z.string(), z.unknown()).nullable(),
  annotations: z.record(z.string(), z.unknown()).nullable(),
  timeout_seconds: z.number().nullable(),
  retry_attempts: z.number().nullable(),
  instances: z.array(z.string()),
  total_executions: z.number(),
  successful_executions: z.number(),
  average_duration_ms: z.number(),
  last_executed: z.string().nullable(),
  score: z.number().optional().meta({ description: 'relevance to `q`, when searching' }),
});

/** An instance in a list: its row with what the engine knows of it now (the dashboard's table). */
export const serviceListItemSchema = serviceSchema.extend({
  breaker_state: z.enum(['closed', 'open', 'half_open']),
  queued: z.number(),
});

export const serviceDetailSchema = serviceListItemSchema.extend({
  tools: z.array(z.record(z.string(), z.unknown())),
});

export const executionSchema = z.object({
  execution_id: z.string(),
  correlation_id: z.string(),
  tool_id: z.string(),
  service_id: z.string().nullable(),
  status: z.enum(['running', 'success', 'error', 'timeout', 'cancelled', 'rejected']),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  attempts: z.number(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}
