import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  annualisedVolatility,
  benchmarkMetrics,
  cagr,
  cumulativeValues,
  downsideDeviation,
  maxDrawdown,
  sharpeRatio,
  sortinoRatio,
} from '../maths/performance-metrics.js';
import { round } from '../maths/statistics.js';
import { alignedReturns, resolveSeries, seriesInputShape, ToolInputError } from '../series-input.js';

/** risk_calculate_metrics: Sharpe, Sortino, drawdown with dates, beta/alpha, information ratio, Calmar. */
export const calculateMetrics = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_calculate_metrics',
    description:
      'Risk-adjusted performance of a symbol or series: annualised return and volatility, Sharpe, Sortino, downside deviation, max drawdown with peak/trough/recovery dates, Calmar, and against a benchmark (default SPX, or benchmark_returns) beta, Jensen alpha, tracking error and information ratio.',
    category: 'risk',
    inputSchema: {
      ...seriesInputShape,
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02).describe('Annual, e.g. 0.02'),
      benchmark: z.string().min(1).max(16).default('SPX'),
      benchmark_returns: z
        .array(z.number().gt(-1))
        .min(2)
        .max(100_000)
        .optional()
        .describe('Your own benchmark returns, same length as returns'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      let series = await resolveSeries(args, provider);
      let benchmark: number[] | undefined;
      if (args.benchmark_returns) {
        if (args.benchmark_returns.length !== series.returns.length) {
          throw new ToolInputError(
            `benchmark_returns has ${args.benchmark_returns.length} values but the series has ${series.returns.length}: they must match`,
          );
        }
        benchmark = args.benchmark_returns;
      } else if (args.symbol && args.symbol.toUpperCase() !== args.benchmark.toUpperCase()) {
        const aligned = await alignedReturns(
          provider,
          [args.symbol, args.benchmark],
          args.period,
          args.end_date,
        );
        series = { ...series, returns: aligned.returns[0]!, dates: aligned.dates };
        benchmark = aligned.returns[1];
      }
      const r = series.returns;
      if (r.length < 10) throw new ToolInputError('metrics need at least 10 returns');
      const values = cumulativeValues(r);
      const dd = maxDrawdown(values);
      const dateAt = (i: number | null) =>
        i === null || !series.dates ? null : i === 0 ? series.dates[0] : series.dates[i - 1];
      const growth = cagr(r);
      return jsonResult({
        subject: series.label,
        observations: r.length,
        annualised_return: round(growth),
        annualised_volatility: round(annualisedVolatility(r)),
        sharpe_ratio: round(sharpeRatio(r, args.risk_free_rate), 4),
        sortino_ratio: round(sortinoRatio(r, args.risk_free_rate), 4),
        downside_deviation: round(downsideDeviation(r, args.risk_free_rate)),
        max_drawdown: {
          fraction: round(dd.max_drawdown),
          peak: dateAt(dd.peak_index) ?? dd.peak_index,
          trough: dateAt(dd.trough_index) ?? dd.trough_index,
          recovery: dd.recovery_index === null ? null : (dateAt(dd.recovery_index) ?? dd.recovery_index),
        },
        calmar_ratio: dd.max_drawdown === 0 ? null : round(growth / dd.max_drawdown, 4),
        benchmark: benchmark
          ? {
              name: args.benchmark_returns ? 'caller-supplied' : args.benchmark.toUpperCase(),
              ...Object.fromEntries(
                Object.entries(benchmarkMetrics(r, benchmark, args.risk_free_rate)).map(([k, v]) => [
                  k,
                  round(v, 6),
                ]),
              ),
            }
          : null,
        source: series.source,
      });
    },
  });
