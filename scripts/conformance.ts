// Runs the official MCP conformance suite (server scenarios) against the hub's /mcp, with the
// fixture spoke of tests/fixtures registered through the REST API. Exit code: the suite's.
//
//   npm run conformance                 the handshake era: @modelcontextprotocol/conformance 0.1.x
//   npm run conformance -- --modern     the 2026-07-28 leg: 0.2.0-alpha with --spec-version
//                                       2026-07-28, which needs Node 22 (fetched with npx from the
//                                       npm registry: `npx -p node@22`)
// Each leg has its baseline of expected failures; a scenario failing outside it (or passing inside
// it) fails the run.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { startHub } from '../src/main.js';
import { startConformanceContentServer } from '../tests/fixtures/conformance-content.js';
import { conformanceRegistration, startConformanceSpoke } from '../tests/fixtures/conformance-spoke.js';
import { startModernConformanceSpoke } from '../tests/fixtures/modern-conformance-spoke.js';

const root = new URL('..', import.meta.url).pathname;
const modern = process.argv.includes('--modern');
// The suite's first line with the 2026-07-28 scenarios; pinned, like the 0.1.x devDependency.
const MODERN_SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
mkdirSync(join(root, '.cache'), { recursive: true });
const hub = await startHub(
  parseConfig({
    port: 0,
    db: process.argv.includes('--postgres') ? process.env.TEST_DATABASE_URL : 'memory',
    logLevel: 'warn',
    dbSchema: `conformance_${process.pid}`,
  }),
);
// The fixture upstream: the handshake-era spoke (SDK v1, the kit's) for the handshake leg; for the
// 2026-07-28 leg a modern-only SDK v2 server, registered by its MCP URL (the hub discovers its tools).
const spoke = modern ? await startModernConformanceSpoke() : await startConformanceSpoke();
const content = modern ? undefined : await startConformanceContentServer();
const direct = process.argv.includes('--direct');
let status = 1;
try {
  const response = await fetch(`${hub.url}/api/v1/services/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      modern
        ? {
            service_id: 'conformance-modern',
            service_name: 'conformance',
            address: '127.0.0.1',
            port: spoke.port,
            mcp_url: `http://127.0.0.1:${spoke.port}/mcp`,
          }
        : conformanceRegistration(spoke.port),
    ),
  });
  if (!response.ok) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  // The handshake leg's prompts and resources come from a second server beside the kit's spoke
  // (which serves tools only): the hub federates both under one endpoint.
  if (content) {
    const added = await fetch(`${hub.url}/api/v1/services/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service_id: 'conformance-content',
        service_name: 'conformance-content',
        address: '127.0.0.1',
        port: content.port,
        mcp_url: content.url,
      }),
    });
    if (!added.ok) throw new Error(`registration failed: ${added.status} ${await added.text()}`);
  }
  // --direct: the same suite against the fixture itself, to compare with the run through the hub.
  const url = direct
    ? `http://localhost:${spoke.port}/mcp`
    : `${hub.url!.replace('127.0.0.1', 'localhost')}/mcp`;
  const extra = process.argv
    .filter((a) => a.startsWith('--scenario') || a.startsWith('--suite'))
    .flatMap((a) => a.split('='));
  const [command, args] = modern
    ? [
        'npx',
        [
          '-y',
          '-p',
          'node@22',
          '-p',
          MODERN_SUITE,
          '--',
          'conformance',
          'server',
          '--url',
          url,
          '--spec-version',
          '2026-07-28',
          ...(extra.length > 0 ? extra : ['--suite', 'all']),
          '--expected-failures',
          join(root, 'tests/fixtures/conformance-baseline-2026-07-28.yml'),
        ],
      ]
    : [
        process.execPath,
        [
          join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js'),
          'server',
          '--url',
          url,
          '--expected-failures',
          join(root, 'tests/fixtures/conformance-baseline.yml'),
          ...extra,
        ],
      ];
  // Asynchronous spawn: the hub answering the suite runs in this very process.
  const child = spawn(command, args, { stdio: 'inherit', cwd: join(root, '.cache') });
  status = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} finally {
  await spoke.close();
  await content?.close();
  await hub.close();
}
process.exit(status);
