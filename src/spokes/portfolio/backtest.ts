import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { runBacktest, type Strategy, yearlyReturns } from '../maths/backtest.js';
import { annualisedVolatility, cagr, maxDrawdown, sharpeRatio } from '../maths/performance-metrics.js';
import { round, simpleReturns } from '../maths/statistics.js';
import { checkWeights } from '../risk/analyze-portfolio.js';
import { ToolInputError } from '../series-input.js';

/** portfolio_backtest: buy-and-hold, periodic rebalancing or momentum on historical closes, with costs. */
export const backtest = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_backtest',
    description:
      'Backtests a strategy on daily closes between two dates: buy_and_hold (weights), periodic_rebalance (weights, monthly/quarterly/yearly) or momentum (top_n by lookback return, rebalanced monthly/quarterly), with transaction costs. Returns CAGR, volatility, Sharpe, max drawdown, yearly returns and a comparison to SPX.',
    category: 'portfolio',
    inputSchema: {
      symbols: z.array(z.string().min(1).max(16)).min(1).max(30),
      strategy: z.enum(['buy_and_hold', 'periodic_rebalance', 'momentum']).default('buy_and_hold'),
      weights: z.array(z.number().min(0).max(1)).optional().describe('Per symbol; default equal weights'),
      rebalance_frequency: z.enum(['monthly', 'quarterly', 'yearly']).default('quarterly'),
      lookback_days: z.number().int().min(5).max(504).default(126),
      top_n: z.number().int().min(1).max(30).default(3),
      start_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .default('2010-01-01'),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      initial_capital: z.number().positive().default(100_000),
      cost_bps: z.number().min(0).max(500).default(10),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const weights = args.weights ?? args.symbols.map(() => 1 / args.symbols.length);
      if (args.strategy !== 'momentum') checkWeights(weights, args.symbols.length);
      if (args.strategy === 'momentum' && args.top_n > args.symbols.length)
        throw new ToolInputError('top_n cannot exceed the number of symbols');
      const series = await Promise.all([...args.symbols, 'SPX'].map((s) => provider.daily(s)));
      const maps = series.map((s) => new Map(s.bars.map((b) => [b.date, b.close])));
      const dates = [...maps[0]!.keys()].filter(
        (d) => d >= args.start_date && (!args.end_date || d <= args.end_date) && maps.every((m) => m.has(d)),
      );
      if (dates.length < 30) {
        throw new ToolInputError(
          `only ${dates.length} common trading days from ${args.start_date}; ranges: ${series.map((s) => `${s.symbol} ${s.bars[0]?.date}..${s.source.as_of}`).join(', ')}`,
        );
      }
      const prices = args.symbols.map((_, i) => dates.map((d) => maps[i]!.get(d)!));
      const strategy: Strategy =
        args.strategy === 'buy_and_hold'
          ? { kind: 'buy_and_hold', weights }
          : args.strategy === 'periodic_rebalance'
            ? { kind: 'periodic_rebalance', weights, every: args.rebalance_frequency }
            : {
                kind: 'momentum',
                lookback: args.lookback_days,
                topN: args.top_n,
                every: args.rebalance_frequency === 'yearly' ? 'quarterly' : args.rebalance_frequency,
              };
      const result = runBacktest(dates, prices, strategy, args.initial_capital, args.cost_bps);
      const returns = simpleReturns(result.values);
      const spx = dates.map((d) => maps[maps.length - 1]!.get(d)!);
      const spxReturns = simpleReturns(spx);
      const dd = maxDrawdown(result.values);
      return jsonResult({
        strategy: args.strategy,
        period: { start: dates[0], end: dates[dates.length - 1], trading_days: dates.length },
        final_value: round(result.values[result.values.length - 1]!, 2),
        total_return: round(result.values[result.values.length - 1]! / args.initial_capital - 1),
        cagr: round(cagr(returns)),
        annual_volatility: round(annualisedVolatility(returns)),
        sharpe_ratio: round(sharpeRatio(returns, args.risk_free_rate), 4),
        max_drawdown: {
          fraction: round(dd.max_drawdown),
          peak: dates[dd.peak_index],
          trough: dates[dd.trough_index],
        },
        rebalances: result.rebalances,
        transaction_costs: round(result.costs, 2),
        turnover: round(result.turnover, 4),
        yearly_returns: Object.fromEntries(
          Object.entries(yearlyReturns(dates, result.values)).map(([y, r]) => [y, round(r, 4)]),
        ),
        benchmark_spx: {
          total_return: round(spx[spx.length - 1]! / spx[0]! - 1),
          cagr: round(cagr(spxReturns)),
          max_drawdown: round(maxDrawdown(spx).max_drawdown),
        },
        sources: series.map((s) => ({ symbol: s.symbol, kind: s.source.kind, provider: s.source.provider })),
      });
    },
  });
