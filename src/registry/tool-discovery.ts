import { HubError } from '../errors.js';
import { describeUpstreamFailure, UpstreamError } from '../execution/upstream-errors.js';
import type { UpstreamPool } from '../execution/upstream-pool.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-limits.js';
import { toolRegistrationSchema } from './registration-schema.js';
import type { ToolDiscovery } from './registry-service.js';

/**
 * Discovers a server's tools with `tools/list` for registrations that give an `mcp_url` and no
 * tools, and checks each one as if it had been registered by hand.
 */
export function createToolDiscovery(upstream: Pick<UpstreamPool, 'listTools'>): ToolDiscovery {
  return async (url) => {
    let tools: Awaited<ReturnType<typeof upstream.listTools>>;
    try {
      tools = await upstream.listTools(url);
    } catch (error) {
      // The server's fault or absence, not the hub's: a 502 naming why (never its error page).
      const reached = error instanceof UpstreamError && error.kind !== 'not_reached';
      throw new HubError(
        reached ? 'upstream_error' : 'upstream_unreachable',
        `could not list the tools of ${url}: ${describeUpstreamFailure(error)}`,
      );
    }
    if (nestsDeeperThan(tools, MAX_JSON_DEPTH)) {
      throw new HubError(
        'upstream_error',
        `the server's tools/list answer is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    return tools.map((t) =>
      toolRegistrationSchema.parse({
        name: t.name,
        title: t.title,
        description: t.description,
        input_schema: t.inputSchema,
        output_schema: t.outputSchema,
        annotations: t.annotations,
      }),
    );
  };
}
