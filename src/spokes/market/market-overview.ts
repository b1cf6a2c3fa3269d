import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';

/** market_overview: the S&P 500 level and changes, movers and breadth of the equity universe. */
export const marketOverview = (provider: MarketDataProvider) =>
  defineTool({
    name: 'market_overview',
    description:
      "Market snapshot at the data's last date: S&P 500 level with 1-day, 1-month and year-to-date change (real data), top gainers and losers of the day and breadth (share of stocks above their 50-day average) across the equity universe.",
    category: 'market',
    inputSchema: { top: z.number().int().min(1).max(10).default(3) },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ top }) => {
      const spx = await provider.daily('SPX');
      const bars = spx.bars;
      const last = bars[bars.length - 1]!;
      const change = (back: number) =>
        round((last.close / bars[Math.max(0, bars.length - 1 - back)]!.close - 1) * 100, 3);
      const yearStart = bars.find((b) => b.date.slice(0, 4) === last.date.slice(0, 4))!;
      const equities = provider.symbols().filter((s) => s.assetClass === 'equity');
      const moves = await Promise.all(
        equities.map(async (info) => {
          const s = await provider.daily(info.symbol);
          const idx = s.bars.findLastIndex((b) => b.date <= last.date);
          const today = s.bars[idx]!;
          const before = s.bars[idx - 1] ?? today;
          const sma50 =
            s.bars.slice(Math.max(0, idx - 49), idx + 1).reduce((a, b) => a + b.close, 0) /
            Math.min(50, idx + 1);
          return {
            symbol: info.symbol,
            change_percent: round((today.close / before.close - 1) * 100, 3),
            above_sma50: today.close > sma50,
            kind: s.source.kind,
          };
        }),
      );
      const sorted = [...moves].sort((a, b) => b.change_percent - a.change_percent);
      return jsonResult({
        as_of: last.date,
        index: {
          symbol: 'SPX',
          level: round(last.close, 2),
          change_1d_percent: change(1),
          change_1m_percent: change(21),
          change_ytd_percent: round((last.close / yearStart.close - 1) * 100, 3),
          source: spx.source,
        },
        top_gainers: sorted.slice(0, top),
        top_losers: sorted.slice(-top).reverse(),
        breadth: {
          stocks: moves.length,
          advancing: moves.filter((m) => m.change_percent > 0).length,
          declining: moves.filter((m) => m.change_percent < 0).length,
          percent_above_sma50: round((moves.filter((m) => m.above_sma50).length / moves.length) * 100, 1),
        },
        note: 'Index data is real; movers and breadth include synthetic series (each item says which).',
      });
    },
  });
