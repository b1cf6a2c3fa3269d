import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { LocalTool, LocalToolContext } from '../execution/local-tools.js';
import type { CatalogueHit } from '../registry/catalogue-search.js';
import type { ToolFilter } from '../registry/registry-directory.js';
import type { RoutingView } from '../registry/routing-index.js';

/**
 * Every name that starts with this belongs to the hub: its own tools use it, and a registration
 * whose tool would be exposed under it is refused (a spoke can never shadow hub_call_tool).
 */
export const HUB_TOOL_PREFIX = 'hub_';

export function isHubToolName(name: string): boolean {
  return name.startsWith(HUB_TOOL_PREFIX);
}

export interface HubToolsDependencies {
  routing: RoutingView;
  /** The engine's view of an instance now. */
  runtime: (serviceId: string) => { breaker_state: string; current_load: number; queued: number };
  search: (query: string, filter: Omit<ToolFilter, 'cursor'>) => CatalogueHit[];
  version: string;
  /** `progressive`: tools/list offers only these tools, and clients find the rest through them. */
  discovery: 'full' | 'progressive';
}

/** A JSON answer: the data as structured content and as text (for clients that read only text). */
function answer(data: Record<string, unknown>, summary?: string): CallToolResult {
  const json = JSON.stringify(data, null, 2);
  return {
    content: [{ type: 'text', text: summary ? `${summary}\n${json}` : json }],
    structuredContent: data,
  };
}

function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

/**
 * The hub's own tools, served next to the federated ones (the original Fin-Hub's hub tools):
 * status, services, search over the whole catalogue, and a call to any registered tool by name —
 * which is how a client in progressive discovery mode reaches the catalogue without listing it.
 */
export function createHubTools(deps: HubToolsDependencies): Map<string, LocalTool> {
  const tools: LocalTool[] = [
    {
      definition: {
        name: 'hub_status',
        title: 'Hub status',
        description:
          'The state of this fin-hub: registered services and instances, how many are healthy, open circuit breakers, the number of tools, version and discovery mode.',
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        annotations: READ_ONLY,
      },
      async run() {
        const instances = [...deps.routing.allInstances()];
        const services = new Map<string, { instances: number; healthy: number }>();
        const openBreakers: { service_id: string; state: string }[] = [];
        for (const instance of instances) {
          const entry = services.get(instance.serviceName) ?? { instances: 0, healthy: 0 };
          entry.instances += 1;
          if (instance.healthy) entry.healthy += 1;
          services.set(instance.serviceName, entry);
          const state = deps.runtime(instance.serviceId).breaker_state;
          if (state !== 'closed') openBreakers.push({ service_id: instance.serviceId, state });
        }
        const healthy = instances.filter((i) => i.healthy).length;
        const tools = deps.routing.visibleTools().length;
        return answer(
          {
            version: deps.version,
            discovery: deps.discovery,
            services: [...services].map(([name, counts]) => ({ name, ...counts })),
            instances: { total: instances.length, healthy, unhealthy: instances.length - healthy },
            open_breakers: openBreakers,
            tools,
          },
          `fin-hub ${deps.version}: ${services.size} services, ${instances.length} instances (${healthy} healthy), ${tools} tools.`,
        );
      },
    },
    {
      definition: {
        name: 'hub_list_services',
        title: 'List services',
        description:
          'The registered service instances with their health, circuit breaker state and load; optionally only those of one service name.',
        inputSchema: {
          type: 'object',
          properties: {
            service: { type: 'string', maxLength: 128, description: 'only instances of this service name' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
          additionalProperties: false,
        },
        annotations: READ_ONLY,
      },
      async run(args) {
        const service = args.service as string | undefined;
        const limit = (args.limit as number | undefined) ?? 50;
        const matching = [...deps.routing.allInstances()].filter(
          (i) => !service || i.serviceName === service,
        );
        const items = matching.slice(0, limit).map((instance) => ({
          service_name: instance.serviceName,
          service_id: instance.serviceId,
          endpoint: instance.endpoint,
          healthy: instance.healthy,
          ...deps.runtime(instance.serviceId),
        }));
        return answer({ instances: items, total: matching.length });
      },
    },
    {
      definition: {
        name: 'hub_search_tools',
        title: 'Search tools',
        description:
          'Finds tools among everything registered with the hub by words of their names, descriptions, categories, tags or services, best match first, with the input schema to call them (with hub_call_tool, or directly by name).',
        inputSchema: {
          type: 'object',
          properties: {
            query: { type: 'string', minLength: 1, maxLength: 256, description: 'words to look for' },
            limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
            category: { type: 'string', maxLength: 64 },
            service: { type: 'string', maxLength: 128 },
          },
          required: ['query'],
          additionalProperties: false,
        },
        annotations: READ_ONLY,
      },
      async run(args) {
        const hits = deps.search(args.query as string, {
          limit: (args.limit as number | undefined) ?? 10,
          category: args.category as string | undefined,
          service: args.service as string | undefined,
        });
        const tools = hits.map((hit) => ({
          name: hit.name,
          description: hit.description,
          service: hit.service_name,
          category: hit.category,
          input_schema: hit.input_schema,
          score: hit.score,
        }));
        return answer(
          { tools },
          tools.length === 0
            ? `No tool matches "${args.query}".`
            : `${tools.length} tools match "${args.query}": ${tools.map((t) => t.name).join(', ')}.`,
        );
      },
    },
    {
      definition: {
        name: 'hub_call_tool',
        title: 'Call a tool',
        description:
          'Calls any registered tool by its name with its arguments (find it with hub_search_tools). The call goes through the same routing, validation, limits and history as a direct call.',
        inputSchema: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: 'the tool name, as hub_search_tools gives it',
            },
            arguments: {
              type: 'object',
              description: "the tool's arguments, as its input schema describes them",
            },
          },
          required: ['name'],
          additionalProperties: false,
        },
      },
      async run(args, context: LocalToolContext) {
        const name = args.name as string;
        if (isHubToolName(name)) return toolError(`${name} is a hub tool: call it directly`);
        if (!deps.routing.getTool(name))
          return toolError(`no registered tool is named ${name}: find one with hub_search_tools`);
        // Its own history row, under the same correlation id as this call's.
        const record = await context.execute({
          tool: name,
          arguments: (args.arguments as Record<string, unknown> | undefined) ?? {},
          correlationId: context.correlationId,
          signal: context.signal,
          caller: context.caller,
          relay: context.relay,
        });
        if (record.result && record.status !== 'rejected') return record.result;
        return toolError(
          `${name} ${record.status === 'rejected' ? 'was refused' : 'failed'}: ${record.error?.message ?? record.status}`,
        );
      },
    },
  ];
  return new Map(tools.map((tool) => [tool.definition.name, tool]));
}

/** What tools/list shows of the hub tools. */
export function hubToolDefinitions(tools: ReadonlyMap<string, LocalTool>): Tool[] {
  return [...tools.values()].map((tool) => tool.definition);
}
