import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { Bar, MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

function resample(bars: Bar[], key: (date: string) => string): Bar[] {
  const groups = new Map<string, Bar[]>();
  for (const bar of bars) {
    const k = key(bar.date);
    const group = groups.get(k) ?? [];
    group.push(bar);
    groups.set(k, group);
  }
  return [...groups.values()].map((g) => ({
    date: g[g.length - 1]!.date,
    open: g[0]!.open,
    high: Math.max(...g.map((b) => b.high)),
    low: Math.min(...g.map((b) => b.low)),
    close: g[g.length - 1]!.close,
    volume: g.reduce((s, b) => s + b.volume, 0),
  }));
}

function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return monday.toISOString().slice(0, 10);
}

/** price_history: OHLCV bars in a date range, daily, weekly or monthly. */
export const priceHistory = (provider: MarketDataProvider) =>
  defineTool({
    name: 'price_history',
    description:
      "OHLCV history of a symbol between two dates, at daily, weekly or monthly interval. Defaults to the last 90 bars before the data's last date. Monthly uses real monthly closes where they exist (AAPL, AMZN, GOOG, IBM, MSFT 2000-2010).",
    category: 'market',
    inputSchema: {
      symbol: z.string().min(1).max(16),
      start_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      interval: z.enum(['daily', 'weekly', 'monthly']).default('daily'),
      limit: z.number().int().min(1).max(5000).default(90).describe('Most bars returned (the latest ones)'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol, start_date, end_date, interval, limit }) => {
      if (start_date && end_date && start_date > end_date)
        throw new ToolInputError('start_date must not be after end_date');
      const series = interval === 'monthly' ? await provider.monthly(symbol) : await provider.daily(symbol);
      let bars = series.bars.filter(
        (b) => (!start_date || b.date >= start_date) && (!end_date || b.date <= end_date),
      );
      if (interval === 'weekly') bars = resample(bars, isoWeek);
      if (bars.length === 0) {
        throw new ToolInputError(
          `no ${series.symbol} data in that range; it covers ${series.bars[0]?.date} to ${series.source.as_of}`,
        );
      }
      bars = bars.slice(-limit);
      return jsonResult({
        symbol: series.symbol,
        interval,
        count: bars.length,
        first_date: bars[0]!.date,
        last_date: bars[bars.length - 1]!.date,
        bars: bars.map((b) => ({
          date: b.date,
          open: round(b.open, 4),
          high: round(b.high, 4),
          low: round(b.low, 4),
          close: round(b.close, 4),
          volume: b.volume,
        })),
        source: { ...series.source, as_of: bars[bars.length - 1]!.date },
      });
    },
  });
