import type { z } from 'zod';
import { HubError } from '../errors.js';
import { describeUpstreamFailure, isConnectFailure, UpstreamError } from '../execution/upstream-errors.js';
import type { UpstreamPool } from '../execution/upstream-pool.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-limits.js';
import { type ToolRegistration, toolRegistrationSchema } from './registration-schema.js';
import type { DiscoveryWarning, ToolDiscovery } from './registry-service.js';

/**
 * Discovers a server's tools with `tools/list` for registrations that give an `mcp_url` and no
 * tools, and checks each one as if it had been registered by hand (the ones that fail are left
 * out, with a warning the registration answer carries).
 */
export function createToolDiscovery(upstream: Pick<UpstreamPool, 'listTools'>): ToolDiscovery {
  return async (url, headers) => {
    let tools: Awaited<ReturnType<typeof upstream.listTools>>;
    try {
      tools = await upstream.listTools(url, headers);
    } catch (error) {
      // The server's fault or absence, not the hub's: a 502 naming why (never its error page).
      const reached =
        error instanceof UpstreamError ? error.kind !== 'not_reached' : !isConnectFailure(error);
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
    // A tool the hub cannot serve (a name MCP clients refuse, an oversized description, a schema
    // that is not an object) is left out with a warning: the server's other tools stay usable.
    // None left is the server's failure (502), naming why each was refused.
    const accepted: ToolRegistration[] = [];
    const skipped: DiscoveryWarning[] = [];
    for (const [index, t] of tools.entries()) {
      const parsed = toolRegistrationSchema.safeParse({
        name: t.name,
        title: t.title,
        description: t.description,
        input_schema: t.inputSchema,
        output_schema: t.outputSchema,
        annotations: t.annotations,
      });
      if (parsed.success) accepted.push(parsed.data);
      else skipped.push(warningFor(t.name, index, parsed.error));
    }
    if (accepted.length === 0 && skipped.length > 0) {
      throw new HubError(
        'upstream_error',
        `none of the server's tools can be federated: ${skipped.map((w) => w.message).join('; ')}`,
        skipped,
      );
    }
    return { tools: accepted, warnings: skipped };
  };
}

/** Why a discovered tool was left out: the tool, the field at fault, what is wrong with it. */
function warningFor(name: unknown, index: number, error: z.ZodError): DiscoveryWarning {
  const issue = error.issues[0]!;
  const field = SCHEMA_FIELD_NAMES[String(issue.path[0])] ?? String(issue.path[0] ?? '');
  const tool = typeof name === 'string' ? name.slice(0, 128) : `#${index}`;
  return {
    tool,
    path: `tools.${index}.${[field, ...issue.path.slice(1)].join('.')}`,
    message: `tool ${JSON.stringify(tool)} skipped: ${field} ${issue.message}`,
  };
}

/** The server's own field names (MCP's camelCase) for the registration's. */
const SCHEMA_FIELD_NAMES: Record<string, string> = {
  input_schema: 'inputSchema',
  output_schema: 'outputSchema',
};
