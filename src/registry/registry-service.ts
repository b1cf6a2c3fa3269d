import type { StdioService } from '../config/config-schema.js';
import { mapDatabaseError } from '../db/pg-errors.js';
import { HubError } from '../errors.js';
import { HUB_TOOL_PREFIX, isHubToolName } from '../hub-tools/hub-tools.js';
import { unstorableStringPath } from '../shared/json-limits.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Actor, AuditEntry, AuditLog } from './audit-log.js';
import { createCatalogueSearch } from './catalogue-search.js';
import { type ServiceRegistration, type ToolRegistration, toolNameSchema } from './registration-schema.js';
import type { ServiceFilter, ToolFilter } from './registry-directory.js';
import type { RegistryRepository, ServiceWrite, ToolWrite } from './registry-repository.js';
import type { RegistryStore } from './registry-store.js';
import {
  exposedName,
  mcpEndpointOf,
  type ServiceRecord,
  stdioEndpoint,
  stdioNameOf,
  type ToolRecord,
} from './registry-types.js';

/** Checks that the hub may connect to a URL (the SSRF guard); throws a 400 HubError when not. */
type UrlGuard = (url: string, field: string) => Promise<void>;

/** Asks a spoke's MCP endpoint for its tools (`tools/list`), for registrations that name none. */
/** What a registration stored, and the discovered tools it left out. */
export interface Registered {
  service: ServiceRecord;
  tools: ToolRecord[];
  created: boolean;
  warnings: DiscoveryWarning[];
}

/** A discovered tool the hub left out, and why (returned with the registration). */
export interface DiscoveryWarning {
  tool: string;
  path: string;
  message: string;
}

export type ToolDiscovery = (
  mcpUrl: string,
  headers?: Record<string, string>,
) => Promise<{ tools: ToolRegistration[]; warnings: DiscoveryWarning[] }>;

export interface RegistryServiceOptions {
  repository: RegistryRepository;
  store: RegistryStore;
  defaults: {
    healthIntervalSeconds: number;
    ttlSeconds: number;
    maxInstances: number;
    /** A registration with neither namespace nor tool_prefix takes its service name as namespace. */
    namespaceByServiceName?: boolean;
  };
  guardUrl: UrlGuard;
  discoverTools: ToolDiscovery;
  /** Seals upstream credential headers (absent: the hub has no FIN_HUB_SECRET_KEY and refuses them). */
  secrets?: SecretBox;
  /** Where registry writes and refusals are recorded (absent in unit tests that do not look). */
  audit?: AuditLog;
  /**
   * Registrations of commands (`stdio`) over REST: absent, they are refused; present, an admin's
   * is launched by `launch` (the upstream pool) and federated like a config-file stdio service.
   */
  stdioRegistration?: { launch(service: StdioService): void } | { refused: string };
}

/** The hub itself (or a test) acting without a caller: owns nothing, may do anything. */
const HUB_ACTOR: Actor = { identity: 'hub', admin: true };

/**
 * The registry's use cases. Each write goes to the database first, then into the store from the rows
 * the database returned; reads come from the store's memory.
 */
export function createRegistryService(options: RegistryServiceOptions) {
  const { repository, store, defaults } = options;
  const catalogueSearch = createCatalogueSearch(store);

  async function db<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapDatabaseError(error);
    }
  }

  /** A registration's work: checks, tool discovery, the database write, the store. */
  function sealHeaders(headers: Record<string, string> | undefined): string | null {
    if (headers === undefined || Object.keys(headers).length === 0) return null;
    if (!options.secrets)
      throw new HubError(
        'validation_failed',
        'this hub cannot store upstream credentials: it has no FIN_HUB_SECRET_KEY (ask its operator to set one)',
        [{ path: 'upstream_headers', message: 'the hub has no key to seal them with' }],
      );
    return options.secrets.seal(headers);
  }

  /**
   * A `stdio` registration: refused unless the hub allows them and the caller is an admin (it runs
   * a program on the hub's machine); otherwise the command is handed to the upstream pool and the
   * registration continues as the hub's own child process at `stdio:<service_name>`.
   */
  function launchStdio(body: ServiceRegistration, actor: Actor): ServiceRegistration {
    if (!body.stdio) return body;
    const allowed = options.stdioRegistration;
    if (!allowed || 'refused' in allowed)
      throw new HubError(
        'forbidden',
        allowed?.refused ??
          'registering a command (stdio) is off on this hub: it runs a program on the hub’s machine. Declare it in the hub’s config file (services), or start the hub with --allow-stdio-registration and register it with an admin key',
      );
    if (!actor.admin) throw new HubError('forbidden', 'registering a command (stdio) needs an admin key');
    allowed.launch({
      name: body.service_name,
      command: body.stdio.command,
      args: body.stdio.args,
      env: body.stdio.env,
      cwd: body.stdio.cwd,
      tool_prefix: body.tool_prefix,
      tags: body.tags ?? [],
    });
    return {
      ...body,
      address: '127.0.0.1',
      port: 0,
      mcp_url: stdioEndpoint(body.service_name),
      tags: ['stdio', ...(body.tags ?? [])],
      // The hub's own child: it lives as long as this hub, whatever the TTL (no heartbeats).
      ttl_seconds: body.ttl_seconds ?? 86_400,
    };
  }

  async function registerAs(given: ServiceRegistration, actor: Actor): Promise<Registered> {
    const body = launchStdio(given, actor);
    // PostgreSQL's text and jsonb cannot hold U+0000 or a lone surrogate: a 400 naming where, not a 500.
    const unstorable = unstorableStringPath(body);
    if (unstorable !== undefined) {
      throw new HubError(
        'validation_failed',
        `registration has U+0000 or a lone UTF-16 surrogate at ${unstorable}`,
        [{ path: unstorable, message: 'U+0000 and unpaired surrogates cannot be stored' }],
      );
    }
    const endpoint = mcpEndpointOf({
      mcp_url: body.mcp_url ?? null,
      address: body.address ?? '127.0.0.1',
      port: body.port ?? 0,
    });
    // A stdio service is the hub's own child process (config file only; REST cannot name one).
    if (stdioNameOf(endpoint) === undefined)
      await options.guardUrl(endpoint, body.mcp_url ? 'mcp_url' : 'address');
    if (body.health_check?.http) await options.guardUrl(body.health_check.http, 'health_check.http');
    let tools = body.tools;
    let warnings: DiscoveryWarning[] = [];
    if (tools === undefined) {
      if (!body.mcp_url) {
        throw new HubError(
          'validation_failed',
          'a registration needs tools, or an mcp_url to discover them from',
          [{ path: 'tools', message: 'required when mcp_url is absent' }],
        );
      }
      ({ tools, warnings } = await options.discoverTools(body.mcp_url, body.upstream_headers));
      const unstorableTool = unstorableStringPath(tools);
      if (unstorableTool !== undefined) {
        throw new HubError(
          'upstream_error',
          `the server's tools/list has U+0000 or a lone surrogate at tools.${unstorableTool}`,
        );
      }
    }
    const seen = new Set<string>();
    for (const [index, tool] of tools.entries()) {
      if (seen.has(tool.name)) {
        throw new HubError('validation_failed', `tool ${tool.name} is listed twice`, [
          { path: `tools.${index}.name`, message: 'duplicate tool name' },
        ]);
      }
      seen.add(tool.name);
    }
    if (body.namespace !== undefined && body.tool_prefix !== undefined)
      throw new HubError('validation_failed', 'a registration takes a namespace or a tool_prefix, not both', [
        { path: 'namespace', message: 'drop it, or drop tool_prefix' },
      ]);
    const namespace =
      body.namespace ??
      (body.tool_prefix === undefined && defaults.namespaceByServiceName ? body.service_name : undefined);
    const exposed = tools.map((t) => toToolWrite(t, body.tool_prefix, namespace));
    const taken = exposed.find((tool) => isHubToolName(tool.name));
    if (taken)
      throw new HubError(
        'tool_name_conflict',
        `tool ${taken.name} would take a name the hub keeps for its own tools (${HUB_TOOL_PREFIX}…); ` +
          'rename it, or give the registration a namespace or a tool_prefix',
        { conflicts: [{ tool: taken.name, owner: 'fin-hub' }], requested_by: body.service_name },
      );
    for (const [index, tool] of exposed.entries()) {
      const valid = toolNameSchema.safeParse(tool.name);
      if (!valid.success)
        throw new HubError(
          'validation_failed',
          `tool ${tool.upstream_name} exposed as ${tool.name}: ${valid.error.issues[0]!.message}`,
          [
            {
              path: `tools.${index}.name`,
              message: `exposed as ${tool.name} (namespace or prefix included)`,
            },
          ],
        );
    }
    const write: ServiceWrite = {
      service_id: body.service_id,
      service_name: body.service_name,
      address: body.address ?? '127.0.0.1',
      port: body.port ?? 0,
      mcp_url: body.mcp_url ?? null,
      version: body.version ?? null,
      tags: body.tags ?? [],
      meta: body.meta ?? {},
      tool_prefix: body.tool_prefix ?? null,
      namespace: namespace ?? null,
      shared_session: body.shared_session ?? false,
      health_check_url: body.health_check?.http ?? null,
      health_check_interval: body.health_check?.interval ?? defaults.healthIntervalSeconds,
      weight: body.weight ?? 1,
      ttl_seconds: body.ttl_seconds ?? defaults.ttlSeconds,
      tools_discovered: body.tools === undefined,
      upstream_headers_sealed: sealHeaders(body.upstream_headers),
      tools: exposed,
    };
    const result = await db(() => repository.upsertService(write, defaults.maxInstances, actor));
    store.apply([{ service: result.service, tools: result.tools }]);
    return { ...result, warnings };
  }

  return {
    /**
     * Registers or updates an instance (idempotent on service_id), as `actor`: only the identity
     * that owns the service_id and service_name (or an admin) may. Audited either way.
     */
    async register(body: ServiceRegistration, actor: Actor = HUB_ACTOR): Promise<Registered> {
      try {
        const result = await registerAs(body, actor);
        await options.audit?.record({
          action: 'register',
          outcome: 'ok',
          actor,
          service_id: body.service_id,
          service_name: body.service_name,
          details: { created: result.created, tools: result.tools.map((t) => t.name) },
        });
        return result;
      } catch (error) {
        await options.audit?.record({
          action: 'register',
          outcome: outcomeOf(error),
          actor,
          service_id: body.service_id,
          service_name: body.service_name,
          details: { reason: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      }
    },

    /**
     * Lists an active instance's tools again from its server (which said they changed), keeping
     * everything else of its registration; only for instances whose tools were discovered.
     * Undefined when there is nothing to do (gone, inactive, or tools given by hand).
     */
    async rediscover(serviceId: string): Promise<Registered | undefined> {
      const row = store.getActive(serviceId)?.service;
      if (!row?.tools_discovered || !row.mcp_url) return undefined;
      return this.register({
        service_id: row.service_id,
        service_name: row.service_name,
        address: row.address,
        port: row.port,
        mcp_url: row.mcp_url,
        version: row.version ?? undefined,
        tags: row.tags,
        meta: row.meta,
        weight: row.weight,
        ttl_seconds: row.ttl_seconds,
        tool_prefix: row.tool_prefix ?? undefined,
        namespace: row.namespace ?? undefined,
        shared_session: row.shared_session,
        health_check: { http: row.health_check_url ?? undefined, interval: row.health_check_interval },
        upstream_headers:
          row.upstream_headers_sealed && options.secrets
            ? (options.secrets.open(row.upstream_headers_sealed) as Record<string, string>)
            : undefined,
      });
    },

    async deregister(serviceId: string, actor: Actor = HUB_ACTOR): Promise<ServiceRecord> {
      const row = store.getService(serviceId);
      const audit = (outcome: AuditEntry['outcome'], details?: Record<string, unknown>) =>
        options.audit?.record({
          action: 'deregister',
          outcome,
          actor,
          service_id: serviceId,
          service_name: row?.service_name,
          details,
        });
      try {
        assertOwner(row, actor);
      } catch (error) {
        await audit('forbidden', { owner: row?.owner });
        throw error;
      }
      const service = await db(() => repository.deactivate(serviceId));
      if (!service) {
        await audit('not_found');
        throw notFound(serviceId);
      }
      store.apply([{ service }]);
      await audit('ok');
      return service;
    },

    async heartbeat(serviceId: string, actor: Actor = HUB_ACTOR): Promise<ServiceRecord> {
      assertOwner(store.getService(serviceId), actor);
      const service = await db(() => repository.heartbeat(serviceId));
      if (!service || !store.routing.getInstance(serviceId)) {
        throw new HubError(
          'service_not_found',
          `service ${serviceId} is not registered (or has expired); register again`,
        );
      }
      store.apply([{ service }]);
      return service;
    },

    /** An instance with its tools: active ones from memory, inactive ones from the database. */
    async get(serviceId: string) {
      const active = store.getActive(serviceId);
      if (active) return active;
      const found = await db(() => repository.getService(serviceId));
      if (!found) throw notFound(serviceId);
      return found;
    },

    list: (filter: ServiceFilter) => store.listServices(filter),
    listTools: (filter: ToolFilter) => store.listCatalogue(filter),
    /** The catalogue ranked by relevance to `query` (names, descriptions, categories, tags, services). */
    searchTools: (query: string, filter: Omit<ToolFilter, 'cursor'>) => catalogueSearch.search(query, filter),

    getTool(name: string) {
      const tool = store.getCatalogueTool(name);
      if (!tool) throw new HubError('tool_not_found', `tool ${name} is not registered`);
      return tool;
    },

    /** Loads the registry from the database (start-up); returns the number of active instances. */
    async load(): Promise<number> {
      const { services, tools } = await repository.loadAll();
      store.load(services, tools);
      return store.routing.instanceCount;
    },
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;

/** Refuses an actor that neither owns the service nor holds the admin scope. */
function assertOwner(row: ServiceRecord | undefined, actor: Actor): void {
  if (!row?.owner || actor.admin || row.owner === actor.identity) return;
  throw new HubError('forbidden', `service ${row.service_id} belongs to another identity`, {
    owner: row.owner,
  });
}

/** How a refused registration is recorded in the audit trail. */
function outcomeOf(error: unknown): AuditEntry['outcome'] {
  const code = error instanceof HubError ? error.code : undefined;
  if (code === 'forbidden') return 'forbidden';
  if (code === 'tool_name_conflict') return 'conflict';
  if (code === 'validation_failed' || code === 'address_not_allowed') return 'invalid';
  return 'failed';
}

function notFound(serviceId: string): HubError {
  return new HubError('service_not_found', `service ${serviceId} is not registered`);
}

function toToolWrite(
  tool: ToolRegistration,
  prefix: string | undefined,
  namespace: string | undefined,
): ToolWrite {
  return {
    name: exposedName(tool.name, prefix, namespace),
    upstream_name: tool.name,
    description: tool.description ?? null,
    category: tool.category ?? null,
    version: tool.version ?? null,
    tags: tool.tags ?? [],
    input_schema: tool.input_schema ?? { type: 'object' },
    output_schema: tool.output_schema ?? null,
    annotations: tool.annotations ?? (tool.title ? { title: tool.title } : null),
    timeout_seconds: tool.timeout_seconds ?? null,
    retry_attempts: tool.retry_attempts ?? null,
  };
}
