import { z } from 'zod';

/**
 * A service's namespace: its tools and prompts are exposed as `<namespace>__<name>`. The same
 * rule for a registration and a config-file service.
 */
export const namespaceSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "-" and "."');

/** MCP tool names (SEP-986 characters); also safe for Claude's tool-name rule when no dot is used. */
export const toolNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "-" and "." (MCP tool-name rule)');

export const serviceIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits, "_", "-", ":" and "."');

const tagsSchema = z.array(z.string().min(1).max(64)).max(64);
const jsonObject = z.record(z.string(), z.unknown());

/** The tool part of a registration, as the design document gives it. */
export const toolRegistrationSchema = z.object({
  name: toolNameSchema,
  title: z.string().max(256).optional(),
  description: z.string().max(16_384).optional(),
  category: z.string().max(64).optional(),
  version: z.string().max(64).optional(),
  tags: tagsSchema.optional(),
  input_schema: jsonObject
    .refine((s) => s.type === 'object', 'a JSON Schema object whose "type" is "object" (MCP requires it)')
    .optional(),
  output_schema: jsonObject
    .refine((s) => s.type === 'object', 'a JSON Schema object whose "type" is "object"')
    .optional(),
  annotations: z
    .object({
      title: z.string().max(256).optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional(),
  timeout_seconds: z.number().int().min(1).max(3600).optional(),
  retry_attempts: z.number().int().min(0).max(10).optional(),
});
export type ToolRegistration = z.infer<typeof toolRegistrationSchema>;

/** Headers the hub's own MCP client sets: a registration cannot override them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'accept',
  'connection',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
  'x-correlation-id',
]);

/** Body of `POST /api/v1/services/register`. */
export const serviceRegistrationSchema = z
  .object({
    service_id: serviceIdSchema,
    service_name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.-]+$/, 'only letters, digits, "_", "-" and "."'),
    /** Where it runs (required, except for a `stdio` registration: the hub's own child). */
    address: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    mcp_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    version: z.string().max(64).optional(),
    tags: tagsSchema.optional(),
    meta: jsonObject.optional(),
    weight: z.number().int().min(1).max(1000).optional(),
    ttl_seconds: z.number().int().min(5).max(86_400).optional(),
    /** Exposes this service's tools as `<prefix>_<name>`, so two services may offer the same tool name. */
    tool_prefix: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9]+$/, 'letters and digits')
      .optional(),
    /**
     * Exposes this service's tools as `<namespace>__<name>`, so services offering the same names can
     * all be federated; the hub's `--tool-namespaces service-name` makes the service name the default.
     */
    namespace: namespaceSchema.optional(),
    /**
     * The server keeps no state per MCP session: every hub caller may share one upstream session
     * with it. Without it, a server that gives the hub a session id gets one upstream session per
     * downstream MCP session (session isolation, docs/federation.md).
     */
    shared_session: z.boolean().optional(),
    health_check: z
      .object({
        http: z
          .url({ protocol: /^https?$/ })
          .max(2048)
          .optional(),
        interval: z.number().int().min(1).max(3600).optional(),
      })
      .optional(),
    tools: z.array(toolRegistrationSchema).max(1000).optional(),
    /**
     * Headers the hub sends to this upstream on every request (e.g. `Authorization` for a server that
     * needs a token): stored sealed, never shown back, never logged; never the caller's own token.
     */
    upstream_headers: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'an HTTP header name')
          .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'set by the hub itself'),
        z
          .string()
          .max(8192)
          .regex(/^[\x20-\x7e\t]*$/, 'printable ASCII, no line breaks'),
      )
      .refine((headers) => Object.keys(headers).length <= 16, 'at most 16 headers')
      .optional(),
    /**
     * A command the hub launches and talks to over stdio, instead of a URL. Off unless the hub runs
     * with `--allow-stdio-registration`, and then for admin keys only: it runs a program on the
     * hub's machine (README: remote code execution).
     */
    stdio: z
      .strictObject({
        command: z.string().min(1).max(1024),
        args: z.array(z.string().max(4096)).max(64).default([]),
        env: z
          .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string().max(8192))
          .default({}),
        cwd: z.string().min(1).max(1024).optional(),
      })
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.stdio) {
      if (body.mcp_url !== undefined)
        ctx.addIssue({ code: 'custom', path: ['mcp_url'], message: 'give stdio or mcp_url, not both' });
      return;
    }
    if (body.address === undefined) ctx.addIssue({ code: 'custom', path: ['address'], message: 'required' });
    if (body.port === undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: 'required' });
  });
export type ServiceRegistration = z.infer<typeof serviceRegistrationSchema>;
