import { parseArgs } from 'node:util';
import { readSpokeEnvironment } from '../config/spoke-environment.js';
import { createLogger } from '../logger.js';
import { packageVersion } from '../shared/package-root.js';
import { REFERENCE_SPOKES, type ReferenceSpokeName } from './reference-spokes.js';
import { startReferenceSpoke } from './start-reference-spoke.js';

const SPOKE_FLAGS = ['port', 'host', 'hub-url', 'registry-token', 'ttl', 'log-level'];

/**
 * `fin-hub spoke <market|risk|portfolio>`: one reference spoke, registered with the hub at
 * --hub-url (or FIN_HUB_URL, default http://127.0.0.1:8000). Stops (and deregisters) on SIGTERM/SIGINT.
 */
export async function runReferenceSpoke(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const usage = `usage: fin-hub spoke <${Object.keys(REFERENCE_SPOKES).join('|')}> [--port N] [--host H] [--hub-url URL] [--registry-token KEY] [--ttl S] [--log-level L]\n`;
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (argv.some((arg) => arg === '--version' || arg === '-v')) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!name || !(name in REFERENCE_SPOKES)) {
    process.stderr.write(name ? `fin-hub spoke: unknown spoke ${JSON.stringify(name)}\n${usage}` : usage);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: Object.fromEntries(SPOKE_FLAGS.map((f) => [f, { type: 'string' as const }])),
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`fin-hub spoke: ${(error as Error).message}\n`);
    return 2;
  }
  const env = readSpokeEnvironment();
  const port = Number(values.port ?? env.port ?? REFERENCE_SPOKES[name as ReferenceSpokeName].defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      `fin-hub spoke: --port: received ${JSON.stringify(values.port)}; expected an integer 0-65535\n`,
    );
    return 2;
  }
  const logger = createLogger({ level: values['log-level'] ?? 'info', component: `spoke:${name}` });
  const spoke = await startReferenceSpoke({
    name: name as ReferenceSpokeName,
    port,
    host: values.host ?? '127.0.0.1',
    hubUrl: values['hub-url'] ?? env.hubUrl ?? 'http://127.0.0.1:8000',
    registryToken: values['registry-token'] ?? env.registryToken,
    ttlSeconds: Number(values.ttl ?? 30),
    env,
    logger,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await spoke.close();
  return 0;
}
