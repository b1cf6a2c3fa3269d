import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import type { LiveSources } from '../live/live-sources.js';
import { round } from '../maths/statistics.js';

/** stock_quote: the latest bar of a symbol with change, 52-week range and its source. */
export const stockQuote = (provider: MarketDataProvider, live: LiveSources = {}) =>
  defineTool({
    name: 'stock_quote',
    description:
      'Latest quote of a stock, index or crypto asset: close, change, OHLC, volume, 52-week high/low, as-of date and data source. With FINNHUB_API_KEY, stocks are quoted live from Finnhub.',
    category: 'market',
    inputSchema: { symbol: z.string().min(1).max(16).describe('Ticker, e.g. AAPL, SPX, MSFT, BTC') },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol }) => {
      // FINNHUB_API_KEY: equities quoted live (indices and crypto stay with the daily data).
      const known = provider.symbols().find((s) => s.symbol === symbol.trim().toUpperCase());
      if (live.finnhub && known?.assetClass !== 'index' && known?.assetClass !== 'crypto') {
        const quote = await live.finnhub.quote(symbol);
        return jsonResult({ ...quote, name: known?.name ?? quote.symbol });
      }
      const series = await provider.daily(symbol);
      const bars = series.bars;
      const last = bars[bars.length - 1]!;
      const previous = bars[bars.length - 2] ?? last;
      const year = bars.slice(-252);
      return jsonResult({
        symbol: series.symbol,
        name: series.name,
        as_of: last.date,
        close: round(last.close, 4),
        change: round(last.close - previous.close, 4),
        change_percent: round((last.close / previous.close - 1) * 100, 4),
        open: round(last.open, 4),
        high: round(last.high, 4),
        low: round(last.low, 4),
        volume: last.volume,
        week52_high: round(Math.max(...year.map((b) => b.high)), 4),
        week52_low: round(Math.min(...year.map((b) => b.low)), 4),
        source: series.source,
      });
    },
  });
