/** The live data providers a reference spoke can use, by the name the spokes know them by. */
type LiveProvider = 'finnhub' | 'coingecko' | 'fred' | 'newsapi' | 'opensanctions';

/** Each provider's key variable, and the variable that points it at another endpoint (tests use local servers). */
const LIVE_VARIABLES: Record<LiveProvider, { key: string; url: string }> = {
  finnhub: { key: 'FINNHUB_API_KEY', url: 'FINNHUB_URL' },
  coingecko: { key: 'COINGECKO_API_KEY', url: 'COINGECKO_URL' },
  fred: { key: 'FRED_API_KEY', url: 'FRED_URL' },
  newsapi: { key: 'NEWS_API_KEY', url: 'NEWS_API_URL' },
  opensanctions: { key: 'OPENSANCTIONS_API_KEY', url: 'OPENSANCTIONS_URL' },
};

/** What a reference spoke process reads from its environment (flags override each). */
export interface SpokeEnvironment {
  /** FIN_HUB_SPOKE_PORT */
  port?: string;
  /** FIN_HUB_URL: the hub to register with. */
  hubUrl?: string;
  /** FIN_HUB_REGISTRY_TOKEN: the API key with registry:write, when the hub requires keys. */
  registryToken?: string;
  /** ALPHA_VANTAGE_API_KEY: switches equities to live daily prices. */
  alphaVantageKey?: string;
  /** ALPHA_VANTAGE_URL: another Alpha Vantage endpoint (tests use a local server). */
  alphaVantageUrl?: string;
  /** FINNHUB_API_KEY, COINGECKO_API_KEY, FRED_API_KEY, NEWS_API_KEY, OPENSANCTIONS_API_KEY and their *_URL. */
  live: {
    keys: Partial<Record<LiveProvider, string>>;
    urls: Partial<Record<LiveProvider, string>>;
  };
}

/** Reads a reference spoke's environment (this folder is the only reader of process.env). */
export function readSpokeEnvironment(env: NodeJS.ProcessEnv = process.env): SpokeEnvironment {
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  const live: SpokeEnvironment['live'] = { keys: {}, urls: {} };
  for (const [provider, variables] of Object.entries(LIVE_VARIABLES) as [
    LiveProvider,
    { key: string; url: string },
  ][]) {
    live.keys[provider] = value(variables.key);
    live.urls[provider] = value(variables.url);
  }
  return {
    port: value('FIN_HUB_SPOKE_PORT'),
    hubUrl: value('FIN_HUB_URL'),
    registryToken: value('FIN_HUB_REGISTRY_TOKEN'),
    alphaVantageKey: value('ALPHA_VANTAGE_API_KEY'),
    alphaVantageUrl: value('ALPHA_VANTAGE_URL'),
    live,
  };
}
