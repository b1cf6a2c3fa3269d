import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import type { LiveSources } from '../live/live-sources.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

/** crypto_price: the latest price of a crypto asset, its 24 h, 7 d and 30 d changes. */
export const cryptoPrice = (provider: MarketDataProvider, live: LiveSources = {}) =>
  defineTool({
    name: 'crypto_price',
    description:
      'Latest price of a crypto asset with its changes and 24h volume. Live from CoinGecko with COINGECKO_API_KEY (BTC, ETH, SOL, XRP, DOGE… and 24h change, market cap); offline BTC, ETH, SOL, XRP with 24h/7d/30d change, synthetic and labelled so.',
    category: 'market',
    inputSchema: { symbol: z.string().min(1).max(16).describe('BTC, ETH, SOL or XRP') },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol }) => {
      // COINGECKO_API_KEY: live prices from CoinGecko instead of the offline (synthetic) series.
      if (live.coingecko) return jsonResult(await live.coingecko.price(symbol));
      const series = await provider.daily(symbol);
      if (series.assetClass !== 'crypto')
        throw new ToolInputError(`${series.symbol} is not a crypto asset; use stock_quote for it`);
      const bars = series.bars;
      const last = bars[bars.length - 1]!;
      const change = (days: number) =>
        round((last.close / bars[Math.max(0, bars.length - 1 - days)]!.close - 1) * 100, 3);
      return jsonResult({
        symbol: series.symbol,
        name: series.name,
        price_usd: round(last.close, 6),
        change_24h_percent: change(1),
        change_7d_percent: change(7),
        change_30d_percent: change(30),
        volume_24h: last.volume,
        as_of: last.date,
        source: series.source,
      });
    },
  });
