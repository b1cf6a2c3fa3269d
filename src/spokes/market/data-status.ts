import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';

/** data_status: which provider is active, its sources, symbols and date ranges. */
export const dataStatus = (provider: MarketDataProvider) =>
  defineTool({
    name: 'data_status',
    description:
      'Which data provider is active, which sources (real or synthetic, with licences) cover which symbols and date ranges.',
    category: 'market',
    inputSchema: {},
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: () => jsonResult({ ...provider.describe(), symbols: provider.symbols() }),
  });
