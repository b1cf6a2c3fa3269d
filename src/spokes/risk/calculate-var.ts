import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import { cornishFisherVar, historicalVar, monteCarloVar, parametricVar } from '../maths/value-at-risk.js';
import { resolveSeries, seriesInputShape, ToolInputError } from '../series-input.js';

/** risk_calculate_var: VaR and CVaR by historical, parametric, Cornish-Fisher and Monte Carlo methods. */
export const calculateVar = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_calculate_var',
    description:
      'Value at Risk and CVaR (expected shortfall) of a position: historical (overlapping horizon returns), parametric normal, Cornish-Fisher (skew/kurtosis adjusted) and Monte Carlo (seeded). Losses are positive numbers, in currency and as fractions.',
    category: 'risk',
    inputSchema: {
      ...seriesInputShape,
      method: z.enum(['historical', 'parametric', 'cornish_fisher', 'monte_carlo', 'all']).default('all'),
      confidence_level: z.number().gt(0.5).lt(1).default(0.95),
      time_horizon: z.number().int().min(1).max(250).default(1).describe('Days'),
      portfolio_value: z.number().positive().default(10_000),
      simulations: z.number().int().min(100).max(200_000).default(10_000),
      seed: z.number().int().default(42),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const series = await resolveSeries(args, provider);
      if (series.returns.length < 20) throw new ToolInputError('VaR needs at least 20 returns');
      if (args.time_horizon >= series.returns.length / 2)
        throw new ToolInputError('time_horizon must be under half the number of returns');
      const c = args.confidence_level;
      const h = args.time_horizon;
      const methods = {
        historical: () => historicalVar(series.returns, c, h),
        parametric: () => parametricVar(series.returns, c, h),
        cornish_fisher: () => cornishFisherVar(series.returns, c, h),
        monte_carlo: () => monteCarloVar(series.returns, c, h, args.simulations, args.seed),
      };
      const chosen = args.method === 'all' ? Object.keys(methods) : [args.method];
      const results = Object.fromEntries(
        chosen.map((m) => {
          const estimate = methods[m as keyof typeof methods]();
          return [
            m,
            {
              var_fraction: round(estimate.var),
              cvar_fraction: round(estimate.cvar),
              var_amount: round(estimate.var * args.portfolio_value, 2),
              cvar_amount: round(estimate.cvar * args.portfolio_value, 2),
            },
          ];
        }),
      );
      return jsonResult({
        subject: series.label,
        confidence_level: c,
        time_horizon_days: h,
        portfolio_value: args.portfolio_value,
        observations: series.returns.length,
        window: series.dates
          ? { start: series.dates[0], end: series.dates[series.dates.length - 1] }
          : undefined,
        results,
        source: series.source,
      });
    },
  });
