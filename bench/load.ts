import autocannon from 'autocannon';

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

/** Opens an MCP session at an endpoint (stateful servers answer with Mcp-Session-Id; stateless ones do not). */
export async function openSession(url: string): Promise<Record<string, string>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  });
  await response.text();
  const session = response.headers.get('mcp-session-id');
  const headers: Record<string, string> = { ...HEADERS, ...(session ? { 'mcp-session-id': session } : {}) };
  await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  }).then((r) => r.text());
  return headers;
}

export interface Cell {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  calls: number;
}

/** The 2026-07-28 era: no session; routing headers and the `_meta` envelope on every request. */
export const MODERN_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
};
export const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export type Era = 'legacy' | 'modern';

/** The headers and `params._meta` one tools/call of an era carries (a legacy era opens a session first). */
export async function callShape(url: string, era: Era, tool: string) {
  return era === 'modern'
    ? { headers: { ...MODERN_HEADERS, 'mcp-name': tool }, meta: MODERN_META }
    : { headers: await openSession(url), meta: undefined };
}

/** Drives tools/call with autocannon at a concurrency; every request carries a fresh JSON-RPC id. */
export async function drive(
  url: string,
  tool: string,
  connections: number,
  seconds: number,
  era: Era = 'legacy',
): Promise<Cell> {
  const { headers, meta } = await callShape(url, era, tool);
  let id = 1;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: id++,
            method: 'tools/call',
            params: { name: tool, arguments: { text: 'x'.repeat(64) }, ...(meta ? { _meta: meta } : {}) },
          }),
        }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    calls: result.requests.total,
  };
}
