import type { TestContext } from 'node:test';
import {
  Client,
  type FetchLike,
  type JSONRPCMessage,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';

/**
 * An SDK v2 client (`@modelcontextprotocol/client`) that negotiates the era the way a 2026-07-28
 * client does: `server/discover` first, `initialize` only when the server is legacy. It counts the
 * tool list changes it hears (on a modern connection through the `subscriptions/listen` stream the
 * client opens itself).
 */
export async function connectModernClient(
  t: TestContext,
  transport: Transport,
  options: { capabilities?: Record<string, unknown>; mode?: 'auto' | 'legacy'; listen?: boolean } = {},
) {
  let listChanged = 0;
  const client = new Client(
    { name: 'fin-hub-test-v2', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      versionNegotiation: { mode: options.mode ?? 'auto' },
      // On a modern connection this opens a subscriptions/listen stream; `listen: false` keeps
      // the client to plain requests (a stream would break when its hub is killed).
      ...(options.listen === false
        ? {}
        : {
            listChanged: {
              tools: {
                autoRefresh: false,
                debounceMs: 0,
                onChanged: () => {
                  listChanged++;
                },
              },
            },
          }),
    },
  );
  t.after(() => client.close().catch(() => {}));
  await client.connect(transport);
  return {
    client,
    get listChanged() {
      return listChanged;
    },
  };
}

/** Over streamable HTTP to a hub's /mcp; `fetch` may route each request elsewhere (round robin). */
export function connectModernHttp(
  t: TestContext,
  hubUrl: string,
  options: {
    capabilities?: Record<string, unknown>;
    mode?: 'auto' | 'legacy';
    listen?: boolean;
    fetch?: FetchLike;
  } = {},
) {
  const transport = new StreamableHTTPClientTransport(new URL(`${hubUrl}/mcp`), {
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return connectModernClient(t, transport, options);
}

/**
 * A client transport over a pair of streams carrying newline-delimited JSON-RPC, the stdio
 * framing, for talking to an in-process stdio front. (The SDK's own StdioClientTransport spawns a
 * process.)
 */
export class StreamPairTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private buffered = '';

  constructor(
    private readonly toServer: NodeJS.WritableStream,
    private readonly fromServer: NodeJS.ReadableStream,
  ) {}

  async start(): Promise<void> {
    this.fromServer.on('data', (chunk: Buffer | string) => {
      this.buffered += chunk.toString();
      for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        if (line.trim() === '') continue;
        try {
          this.onmessage?.(JSON.parse(line) as JSONRPCMessage);
        } catch (error) {
          this.onerror?.(error as Error);
        }
      }
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.toServer.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}

/** The `_meta` envelope of a 2026-07-28 request declaring `capabilities`. */
export function modernEnvelope(capabilities: Record<string, unknown> = {}) {
  return {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  };
}

/**
 * One 2026-07-28 tools/call as a hand-written client sends it (routing headers mirror the body),
 * for tests that handle `input_required` rounds themselves.
 */
export async function postModernToolCall(hubUrl: string, params: Record<string, unknown>) {
  const res = await fetch(`${hubUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': String(params.name),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  });
  return { status: res.status, body: (await res.json()) as { result?: any; error?: any } };
}
