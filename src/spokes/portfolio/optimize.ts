import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  dot,
  maximumSharpe,
  minimumVariance,
  portfolioVariance,
  riskContributions,
  riskParity,
  targetReturnWeights,
} from '../maths/portfolio-optimizer.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';
import { optimizationData, optimizationInputShape } from './optimization-input.js';

/** portfolio_optimize: minimum variance, maximum Sharpe, risk parity or target return weights. */
export const optimize = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_optimize',
    description:
      'Optimal long-only portfolio weights from historical returns: minimum variance, maximum Sharpe ratio, equal risk contribution (risk parity) or minimum variance for a target annual return, within min/max weight bounds.',
    category: 'portfolio',
    inputSchema: {
      ...optimizationInputShape,
      objective: z.enum(['min_variance', 'max_sharpe', 'risk_parity', 'target_return']).default('max_sharpe'),
      target_return: z.number().min(-1).max(5).optional().describe('Annual, for objective target_return'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const { names, mu, cov, bounds, source } = await optimizationData(args, provider);
      let weights: number[];
      switch (args.objective) {
        case 'min_variance':
          weights = minimumVariance(cov, bounds);
          break;
        case 'risk_parity':
          weights = riskParity(cov);
          break;
        case 'target_return': {
          if (args.target_return === undefined)
            throw new ToolInputError('objective target_return needs target_return');
          const found = targetReturnWeights(cov, mu, args.target_return, bounds);
          if (!found)
            throw new ToolInputError(
              `no portfolio within the bounds reaches ${args.target_return}; the best asset expects ${round(Math.max(...mu), 4)}`,
            );
          weights = found;
          break;
        }
        default:
          weights = maximumSharpe(cov, mu, args.risk_free_rate, bounds);
      }
      const expected = dot(weights, mu);
      const vol = Math.sqrt(portfolioVariance(cov, weights));
      const contributions = riskContributions(cov, weights);
      return jsonResult({
        objective: args.objective,
        weights: Object.fromEntries(names.map((n, i) => [n, round(weights[i]!, 6)])),
        expected_annual_return: round(expected),
        annual_volatility: round(vol),
        sharpe_ratio: round((expected - args.risk_free_rate) / vol, 4),
        risk_contributions: Object.fromEntries(names.map((n, i) => [n, round(contributions[i]!, 4)])),
        constraints: {
          long_only: true,
          min_weight: bounds.min,
          max_weight: bounds.max,
          ...(args.objective === 'risk_parity' ? { note: 'risk parity ignores weight bounds' } : {}),
        },
        note: 'Expected returns are historical means: estimates, not forecasts.',
        source,
      });
    },
  });
