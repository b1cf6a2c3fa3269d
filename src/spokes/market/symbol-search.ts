import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';

/** symbol_search: finds symbols by ticker or name. */
export const symbolSearch = (provider: MarketDataProvider) =>
  defineTool({
    name: 'symbol_search',
    description:
      'Finds symbols by ticker or company name (case-insensitive substring); says which have real or synthetic data.',
    category: 'market',
    inputSchema: {
      query: z.string().min(1).max(64),
      asset_class: z.enum(['equity', 'index', 'crypto']).optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: ({ query, asset_class }) => {
      const q = query.toLowerCase();
      const matches = provider
        .symbols()
        .filter(
          (s) =>
            (!asset_class || s.assetClass === asset_class) &&
            (s.symbol.toLowerCase().includes(q) || s.name.toLowerCase().includes(q)),
        );
      return jsonResult({ query, count: matches.length, matches });
    },
  });
