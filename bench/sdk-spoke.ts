// A spoke built on the MCP SDK (the fin-hub spoke kit: McpServer per session over streamable HTTP).
import { z } from 'zod';
import { createSilentLogger } from '../src/logger.js';
import { startSpoke } from '../src/spoke/create-spoke.js';
import { defineTool } from '../src/spoke/spoke-tool.js';

const spoke = await startSpoke({
  name: 'sdkbench',
  port: Number(process.argv[2] ?? 0),
  logger: createSilentLogger(),
  tools: [
    defineTool({
      name: 'echo',
      description: 'echo',
      inputSchema: { text: z.string() },
      annotations: { readOnlyHint: true },
      handler: ({ text }) => ({ content: [{ type: 'text', text }] }),
    }),
  ],
});
process.stdout.write(`${JSON.stringify({ port: spoke.port })}\n`);
