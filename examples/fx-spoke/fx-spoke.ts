// A third-party spoke written against the package's public entry point, as a user would:
//   npm install fin-hub zod        (in an ESM project: "type": "module" in its package.json)
//   npx tsx fx-spoke.ts --hub-url http://127.0.0.1:8000
// Inside this repository `fin-hub/spoke` resolves to the build (npm run build) by package self-reference.
import { parseArgs } from 'node:util';
import { defineTool, jsonResult, startSpoke, toolError } from 'fin-hub/spoke';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8010' },
    'hub-url': { type: 'string' },
    token: { type: 'string' },
  },
});

/** Fixed demo rates (a real spoke would call a rates provider and say which and as of when). */
const RATES: Record<string, number> = { EURUSD: 1.08, GBPUSD: 1.27, USDJPY: 151.2 };

const spoke = await startSpoke({
  name: 'fx', // the service_name at the hub; instances with the same name are replicas
  port: Number(values.port),
  hubUrl: values['hub-url'], // without it the spoke only serves MCP at /mcp
  registryToken: values.token, // when the hub requires API keys (scope registry:write)
  tools: [
    defineTool({
      name: 'fx_convert',
      description: 'Converts an amount between two currencies at a fixed demo rate',
      inputSchema: { amount: z.number(), pair: z.string().regex(/^[A-Z]{6}$/) },
      annotations: { readOnlyHint: true }, // lets the hub retry it safely on another instance
      handler: ({ amount, pair }) => {
        const rate = RATES[pair];
        if (rate === undefined)
          return toolError(`unknown pair ${pair}; known: ${Object.keys(RATES).join(', ')}`);
        return jsonResult({ pair, rate, converted: amount * rate, source: 'demo rates (fixed)' });
      },
    }),
  ],
});
process.stderr.write(`fx spoke on port ${spoke.port}\n`);
// Deregisters from the hub, then stops.
process.once('SIGTERM', () => void spoke.close());
process.once('SIGINT', () => void spoke.close());
