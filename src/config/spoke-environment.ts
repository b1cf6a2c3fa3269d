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
}

/** Reads a reference spoke's environment (this folder is the only reader of process.env). */
export function readSpokeEnvironment(env: NodeJS.ProcessEnv = process.env): SpokeEnvironment {
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  return {
    port: value('FIN_HUB_SPOKE_PORT'),
    hubUrl: value('FIN_HUB_URL'),
    registryToken: value('FIN_HUB_REGISTRY_TOKEN'),
    alphaVantageKey: value('ALPHA_VANTAGE_API_KEY'),
    alphaVantageUrl: value('ALPHA_VANTAGE_URL'),
  };
}
