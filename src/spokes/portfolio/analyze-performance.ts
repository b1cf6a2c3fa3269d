import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  annualisedVolatility,
  benchmarkMetrics,
  cagr,
  maxDrawdown,
  sharpeRatio,
  sortinoRatio,
} from '../maths/performance-metrics.js';
import { round, simpleReturns } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

/** portfolio_analyze_performance: return, risk and attribution of holdings (or a value series) against SPX. */
export const analyzePerformance = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_analyze_performance',
    description:
      'Performance of a portfolio over a window: time-weighted total and annualised return, volatility, Sharpe, Sortino, max drawdown, beta/alpha/information ratio against SPX, and each holding’s contribution. Give holdings [{symbol, shares}] or your own daily portfolio values.',
    category: 'portfolio',
    inputSchema: {
      holdings: z
        .array(z.object({ symbol: z.string().min(1).max(16), shares: z.number().positive() }))
        .min(1)
        .max(50)
        .optional(),
      values: z
        .array(z.number().positive())
        .min(10)
        .max(100_000)
        .optional()
        .describe('Your own daily portfolio values, oldest first'),
      period: z.number().int().min(20).max(5000).default(252),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      if ((args.holdings === undefined) === (args.values === undefined))
        throw new ToolInputError('give exactly one of holdings or values');
      let values: number[];
      let contributions: unknown;
      let benchmark: number[] | undefined;
      let source: unknown;
      let window: unknown;
      if (args.values) {
        values = args.values;
        source = { kind: 'user', provider: 'caller-supplied values' };
      } else {
        const holdings = args.holdings!;
        const series = await Promise.all(
          [...holdings.map((h) => h.symbol), 'SPX'].map((s) => provider.daily(s)),
        );
        const maps = series.map((s) => new Map(s.bars.map((b) => [b.date, b.close])));
        let dates = [...maps[0]!.keys()].filter(
          (d) => maps.every((m) => m.has(d)) && (!args.end_date || d <= args.end_date),
        );
        dates = dates.slice(-(args.period + 1));
        if (dates.length < 20)
          throw new ToolInputError('the holdings and SPX share too few trading days in that window');
        values = dates.map((d) => holdings.reduce((s, h, i) => s + h.shares * maps[i]!.get(d)!, 0));
        benchmark = simpleReturns(dates.map((d) => maps[maps.length - 1]!.get(d)!));
        const start = values[0]!;
        contributions = holdings.map((h, i) => {
          const p0 = maps[i]!.get(dates[0]!)!;
          const p1 = maps[i]!.get(dates[dates.length - 1]!)!;
          return {
            symbol: series[i]!.symbol,
            start_weight: round((h.shares * p0) / start, 4),
            return: round(p1 / p0 - 1),
            contribution: round((h.shares * (p1 - p0)) / start),
            pnl: round(h.shares * (p1 - p0), 2),
          };
        });
        source = series.map((s) => ({ symbol: s.symbol, kind: s.source.kind, provider: s.source.provider }));
        window = { start: dates[0], end: dates[dates.length - 1] };
      }
      const returns = simpleReturns(values);
      const dd = maxDrawdown(values);
      return jsonResult({
        window,
        start_value: round(values[0]!, 2),
        end_value: round(values[values.length - 1]!, 2),
        total_return: round(values[values.length - 1]! / values[0]! - 1),
        annualised_return: round(cagr(returns)),
        annual_volatility: round(annualisedVolatility(returns)),
        sharpe_ratio: round(sharpeRatio(returns, args.risk_free_rate), 4),
        sortino_ratio: round(sortinoRatio(returns, args.risk_free_rate), 4),
        max_drawdown: round(dd.max_drawdown),
        versus_spx: benchmark
          ? Object.fromEntries(
              Object.entries(benchmarkMetrics(returns, benchmark, args.risk_free_rate)).map(([k, v]) => [
                k,
                round(v, 6),
              ]),
            )
          : null,
        contributions,
        source,
      });
    },
  });
