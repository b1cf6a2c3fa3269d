import type { SpokeEnvironment } from '../config/spoke-environment.js';
import type { Logger } from '../logger.js';
import { packageVersion } from '../shared/package-root.js';
import { startSpoke } from '../spoke/create-spoke.js';
import { createAlphaVantageProvider } from './data/alpha-vantage-provider.js';
import { createOfflineProvider } from './data/offline-provider.js';
import { liveProviderNames, liveSourcesFrom } from './live/live-sources.js';
import { REFERENCE_SPOKES, type ReferenceSpokeName } from './reference-spokes.js';

/**
 * One reference spoke serving and registered with `hubUrl`: what `fin-hub spoke <name>` runs in
 * its own process and what a hub's `--spokes` runs on its spoke thread (spoke-thread.ts).
 */
export async function startReferenceSpoke(options: {
  name: ReferenceSpokeName;
  port: number;
  host: string;
  /** Absent: it serves, and `registerWith(url)` registers it later. */
  hubUrl?: string;
  /** The instance's service_id; by default `${name}-${port}` (with port 0, named after the port it got). */
  serviceId?: string;
  registryToken?: string;
  ttlSeconds: number;
  env: SpokeEnvironment;
  logger: Logger;
}) {
  const { name, port, env, logger } = options;
  // Offline data by default; ALPHA_VANTAGE_API_KEY switches equities to live daily prices.
  const offline = createOfflineProvider();
  const apiKey = env.alphaVantageKey;
  const provider = apiKey
    ? createAlphaVantageProvider({ apiKey, baseUrl: env.alphaVantageUrl, fallback: offline })
    : offline;
  if (apiKey) logger.info('live equity prices from Alpha Vantage');
  // Each live provider's key switches it on (README: live data providers).
  const live = liveSourcesFrom(env);
  if (liveProviderNames(live).length > 0)
    logger.info('live data providers', { providers: liveProviderNames(live) });
  return startSpoke({
    name,
    serviceId: options.serviceId ?? (port === 0 ? undefined : `${name}-${port}`),
    version: packageVersion(),
    tools: REFERENCE_SPOKES[name].tools(provider, live),
    host: options.host,
    port,
    hubUrl: options.hubUrl,
    registryToken: options.registryToken,
    ttlSeconds: options.ttlSeconds,
    tags: [name, 'reference'],
    logger,
  });
}
