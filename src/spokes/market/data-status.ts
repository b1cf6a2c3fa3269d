import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { type LiveSources, liveProviderNames } from '../live/live-sources.js';

/** data_status: which providers are active, their sources, symbols and date ranges. */
export const dataStatus = (provider: MarketDataProvider, live: LiveSources = {}) =>
  defineTool({
    name: 'data_status',
    description:
      'Which data providers are active (the daily-price provider, and the live providers switched on by API keys), which sources (real or synthetic, with licences) cover which symbols and date ranges.',
    category: 'market',
    inputSchema: {},
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: () =>
      jsonResult({
        ...provider.describe(),
        live_providers: liveProviderNames(live),
        live_providers_available: {
          finnhub: 'FINNHUB_API_KEY: live stock quotes and news',
          coingecko: 'COINGECKO_API_KEY: live crypto prices',
          fred: 'FRED_API_KEY: every FRED economic series',
          newsapi: 'NEWS_API_KEY: news search',
          opensanctions: 'OPENSANCTIONS_API_KEY: sanctions and PEP screening (risk_check_compliance)',
          alpha_vantage: 'ALPHA_VANTAGE_API_KEY: live daily equity prices',
        },
        symbols: provider.symbols(),
      }),
  });
