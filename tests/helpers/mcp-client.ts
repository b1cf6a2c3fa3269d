import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

/** An SDK Client that counts list_changed notifications. */
export async function connectClient(
  t: TestContext,
  transport: Transport,
  capabilities: Record<string, unknown> = {},
) {
  const client = new Client({ name: 'fin-hub-test', version: '1.0.0' }, { capabilities });
  let listChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    listChanged++;
  });
  // Registered before connecting: a connect that fails (a hub that crashed at start) must still
  // close the transport, or a stdio hub it spawned keeps the test process alive for ever.
  t.after(async () => {
    if (transport instanceof StreamableHTTPClientTransport)
      await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
    await transport.close().catch(() => {});
  });
  await client.connect(transport);
  return {
    client,
    get listChanged() {
      return listChanged;
    },
  };
}

/** Connects over streamable HTTP to a hub's /mcp. */
export function connectHttp(
  t: TestContext,
  hubUrl: string,
  capabilities: Record<string, unknown> = {},
  options: { headers?: Record<string, string> } = {},
) {
  const transport = new StreamableHTTPClientTransport(new URL(`${hubUrl}/mcp`), {
    requestInit: { headers: options.headers ?? {} },
  });
  return connectClient(t, transport, capabilities);
}

/** Every tool over all pages of tools/list. */
export async function listAllTools(client: Client): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    names.push(...page.tools.map((tool) => tool.name));
    cursor = page.nextCursor;
  } while (cursor);
  return withoutHubTools(names);
}

/** The registered tools of a list, without the hub's own (hub_*, tests/hub-tools/ checks those). */
export function withoutHubTools<T extends string | { name: string }>(tools: T[]): T[] {
  return tools.filter((tool) => !(typeof tool === 'string' ? tool : tool.name).startsWith('hub_'));
}
