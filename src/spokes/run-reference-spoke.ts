import { parseArgs } from 'node:util';
import { readSpokeEnvironment } from '../config/spoke-environment.js';
import { createLogger } from '../logger.js';
import { packageVersion } from '../shared/package-root.js';
import { startSpoke } from '../spoke/create-spoke.js';
import { createAlphaVantageProvider } from './data/alpha-vantage-provider.js';
import { createOfflineProvider } from './data/offline-provider.js';
import { REFERENCE_SPOKES, type ReferenceSpokeName } from './reference-spokes.js';

const SPOKE_FLAGS = ['port', 'host', 'hub-url', 'registry-token', 'ttl', 'log-level'];

/**
 * `fin-hub spoke <market|risk|portfolio>`: one reference spoke, registered with the hub at
 * --hub-url (or FIN_HUB_URL, default http://127.0.0.1:8000). Stops (and deregisters) on SIGTERM/SIGINT.
 */
export async function runReferenceSpoke(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || !(name in REFERENCE_SPOKES)) {
    process.stderr.write(
      `usage: fin-hub spoke <${Object.keys(REFERENCE_SPOKES).join('|')}> [--port N] [--hub-url URL]\n`,
    );
    return 2;
  }
  const spec = REFERENCE_SPOKES[name as ReferenceSpokeName];
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
  const port = Number(values.port ?? env.port ?? spec.defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      `fin-hub spoke: --port: received ${JSON.stringify(values.port)}; expected an integer 0-65535\n`,
    );
    return 2;
  }
  const logger = createLogger({ level: values['log-level'] ?? 'info', component: `spoke:${name}` });
  // Offline data by default; ALPHA_VANTAGE_API_KEY switches equities to live daily prices.
  const offline = createOfflineProvider();
  const apiKey = env.alphaVantageKey;
  const provider = apiKey
    ? createAlphaVantageProvider({ apiKey, baseUrl: env.alphaVantageUrl, fallback: offline })
    : offline;
  if (apiKey) logger.info('live equity prices from Alpha Vantage');
  const spoke = await startSpoke({
    name,
    // A fixed port names the instance; with port 0 the kit names it after the port it got.
    serviceId: port === 0 ? undefined : `${name}-${port}`,
    version: packageVersion(),
    tools: spec.tools(provider),
    host: values.host ?? '127.0.0.1',
    port,
    hubUrl: values['hub-url'] ?? env.hubUrl ?? 'http://127.0.0.1:8000',
    registryToken: values['registry-token'] ?? env.registryToken,
    ttlSeconds: Number(values.ttl ?? 30),
    tags: [name, 'reference'],
    logger,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await spoke.close();
  return 0;
}
