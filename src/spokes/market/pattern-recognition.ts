import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  doubleTopBottom,
  headAndShoulders,
  localExtrema,
  trendLine,
  triangle,
} from '../maths/chart-patterns.js';
import { round } from '../maths/statistics.js';
import { ToolInputError, windowBars } from '../series-input.js';

const PATTERNS = ['trend', 'support_resistance', 'head_shoulders', 'double_top_bottom', 'triangle'] as const;

/** pattern_recognition: trend, support/resistance, head and shoulders, double tops/bottoms, triangles. */
export const patternRecognition = (provider: MarketDataProvider) =>
  defineTool({
    name: 'pattern_recognition',
    description:
      'Chart patterns in recent daily closes: trend (least-squares slope, R² strong > 0.7, moderate > 0.4), support and resistance (local extrema, 5 days each side), head and shoulders (last three peaks), double top/bottom (last two peaks or troughs within 3 %), triangles (slopes through recent peaks and troughs). Give a symbol or your own closes.',
    category: 'market',
    inputSchema: {
      symbol: z.string().min(1).max(16).optional(),
      prices: z
        .array(z.number().positive())
        .min(20)
        .max(10_000)
        .optional()
        .describe('Your own closes, oldest first'),
      period: z.number().int().min(20).max(2520).default(60),
      patterns: z
        .array(z.enum([...PATTERNS, 'all']))
        .min(1)
        .default(['all']),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol, prices, period, patterns, end_date }) => {
      if ((symbol === undefined) === (prices === undefined))
        throw new ToolInputError('give exactly one of symbol or prices');
      let closes = prices?.slice(-period);
      let context: Record<string, unknown> = { source: { kind: 'user', provider: 'caller-supplied prices' } };
      if (symbol) {
        const { series, bars } = await windowBars(provider, symbol, period - 1, end_date);
        closes = bars.map((b) => b.close);
        const asOf = bars[bars.length - 1]!.date;
        context = { symbol: series.symbol, as_of: asOf, source: { ...series.source, as_of: asOf } };
      }
      const values = closes!;
      const wanted = new Set(patterns.includes('all') ? PATTERNS : patterns);
      const found: Record<string, unknown> = {};
      if (wanted.has('trend')) {
        const { slope, r2 } = trendLine(values);
        const strength = r2 > 0.7 ? 'strong' : r2 > 0.4 ? 'moderate' : 'weak';
        found.trend = {
          direction: slope > 0 ? 'up' : slope < 0 ? 'down' : 'flat',
          strength,
          slope_per_day: round(slope, 6),
          slope_pct_per_day: round((slope / (values.reduce((s, v) => s + v, 0) / values.length)) * 100, 4),
          r_squared: round(r2, 4),
        };
      }
      const wide = localExtrema(values, 5);
      if (wanted.has('support_resistance')) {
        const last = values[values.length - 1]!;
        const levels = (indices: number[]) => [...new Set(indices.map((i) => round(values[i]!, 4)))];
        found.support_resistance = {
          support: levels(wide.troughs)
            .filter((v) => v < last)
            .sort((a, b) => b - a)
            .slice(0, 3),
          resistance: levels(wide.peaks)
            .filter((v) => v > last)
            .sort((a, b) => a - b)
            .slice(0, 3),
          last_close: last,
        };
      }
      const near = localExtrema(values, 3);
      if (wanted.has('head_shoulders')) found.head_shoulders = headAndShoulders(values, near.peaks);
      if (wanted.has('double_top_bottom'))
        found.double_top_bottom = doubleTopBottom(values, near.peaks, near.troughs);
      if (wanted.has('triangle')) found.triangle = triangle(values, near.peaks, near.troughs);
      return jsonResult({ ...context, period: values.length, patterns: found });
    },
  });
