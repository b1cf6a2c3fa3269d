import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { technicalSnapshot } from '../maths/technical-indicators.js';
import { ToolInputError, windowBars } from '../series-input.js';

/** technical_analysis: SMA, EMA, RSI, MACD and Bollinger bands with signals. */
export const technicalAnalysis = (provider: MarketDataProvider) =>
  defineTool({
    name: 'technical_analysis',
    description:
      'Technical indicators on daily closes — SMA 20/50/200, EMA 12/26, RSI(14, Wilder), MACD(12,26,9), Bollinger(20,2) — with plain-language signals and trend. Give a symbol or your own closes.',
    category: 'market',
    inputSchema: {
      symbol: z.string().min(1).max(16).optional(),
      prices: z
        .array(z.number().positive())
        .min(35)
        .max(100_000)
        .optional()
        .describe('Your own closes, oldest first (at least 35)'),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol, prices, end_date }) => {
      if ((symbol === undefined) === (prices === undefined))
        throw new ToolInputError('give exactly one of symbol or prices');
      if (prices)
        return jsonResult({
          ...technicalSnapshot(prices),
          source: { kind: 'user', provider: 'caller-supplied prices' },
        });
      const { series, bars } = await windowBars(provider, symbol!, 400, end_date);
      return jsonResult({
        symbol: series.symbol,
        as_of: bars[bars.length - 1]!.date,
        ...technicalSnapshot(bars.map((b) => b.close)),
        source: { ...series.source, as_of: bars[bars.length - 1]!.date },
      });
    },
  });
