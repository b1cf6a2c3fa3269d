import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  dot,
  maximumSharpe,
  minimumVariance,
  portfolioVariance,
  targetReturnWeights,
} from '../maths/portfolio-optimizer.js';
import { round } from '../maths/statistics.js';
import { optimizationData, optimizationInputShape } from './optimization-input.js';

/** portfolio_efficient_frontier: frontier points between the minimum-variance portfolio and the best asset. */
export const efficientFrontier = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_efficient_frontier',
    description:
      'The long-only efficient frontier: points (return, volatility, weights) from the global minimum-variance portfolio to the highest attainable return, plus the tangency (max Sharpe) portfolio.',
    category: 'portfolio',
    inputSchema: { ...optimizationInputShape, points: z.number().int().min(2).max(50).default(10) },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const { names, mu, cov, bounds, source } = await optimizationData(args, provider);
      const describe = (w: number[]) => ({
        expected_annual_return: round(dot(w, mu)),
        annual_volatility: round(Math.sqrt(portfolioVariance(cov, w))),
        weights: Object.fromEntries(names.map((n, i) => [n, round(w[i]!, 4)])),
      });
      const gmv = minimumVariance(cov, bounds);
      const low = dot(gmv, mu);
      // The highest return reachable within the bounds: fill the best assets up to max_weight.
      const order = mu.map((m, i) => [m, i] as const).sort((a, b) => b[0] - a[0]);
      const best = Array(mu.length).fill(bounds.min);
      let left = 1 - bounds.min * mu.length;
      for (const [, i] of order) {
        const add = Math.min(bounds.max - bounds.min, left);
        best[i] += add;
        left -= add;
      }
      const high = dot(best, mu);
      const points = [];
      for (let k = 0; k < args.points; k++) {
        const target = low + ((high - low) * k) / (args.points - 1);
        const w = targetReturnWeights(cov, mu, target, bounds);
        if (w) points.push(describe(w));
      }
      return jsonResult({
        minimum_variance: describe(gmv),
        tangency: describe(maximumSharpe(cov, mu, args.risk_free_rate, bounds)),
        frontier: points,
        source,
      });
    },
  });
