import type { SpokeEnvironment } from '../../config/spoke-environment.js';
import { type CoinGecko, createCoinGecko } from './coingecko.js';
import { createFinnhub, type Finnhub } from './finnhub.js';
import { createFred, type Fred } from './fred.js';
import { createNewsApi, type NewsApi } from './newsapi.js';
import { createOpenSanctions, type OpenSanctions } from './opensanctions.js';

/** The live providers a spoke has keys for; a tool whose provider is absent says which variable to set. */
export interface LiveSources {
  finnhub?: Finnhub;
  coingecko?: CoinGecko;
  fred?: Fred;
  newsapi?: NewsApi;
  opensanctions?: OpenSanctions;
}

/** One provider per key found in the environment (each URL variable points it elsewhere, e.g. a test server). */
export function liveSourcesFrom(env: SpokeEnvironment): LiveSources {
  const { keys, urls } = env.live;
  return {
    finnhub: keys.finnhub ? createFinnhub({ apiKey: keys.finnhub, baseUrl: urls.finnhub }) : undefined,
    coingecko: keys.coingecko
      ? createCoinGecko({ apiKey: keys.coingecko, baseUrl: urls.coingecko })
      : undefined,
    fred: keys.fred ? createFred({ apiKey: keys.fred, baseUrl: urls.fred }) : undefined,
    newsapi: keys.newsapi ? createNewsApi({ apiKey: keys.newsapi, baseUrl: urls.newsapi }) : undefined,
    opensanctions: keys.opensanctions
      ? createOpenSanctions({ apiKey: keys.opensanctions, baseUrl: urls.opensanctions })
      : undefined,
  };
}

/** Which live providers are switched on (for data_status and the start-up log). */
export function liveProviderNames(live: LiveSources): string[] {
  return Object.entries(live)
    .filter(([, provider]) => provider)
    .map(([name]) => name);
}
