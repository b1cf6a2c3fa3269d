import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { portfolioVariance, riskContributions } from '../maths/portfolio-optimizer.js';
import { correlation, covarianceMatrix, round, stdev } from '../maths/statistics.js';
import { historicalVar } from '../maths/value-at-risk.js';
import { alignedReturns, ToolInputError } from '../series-input.js';

/** Checks weights: one per asset, non-negative, summing to 1 (±0.001). */
export function checkWeights(weights: number[], count: number): void {
  if (weights.length !== count)
    throw new ToolInputError(`${weights.length} weights for ${count} assets: give one weight per asset`);
  if (weights.some((w) => w < 0)) throw new ToolInputError('weights must be non-negative (long-only)');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-3)
    throw new ToolInputError(`weights sum to ${round(sum, 6)}; they must sum to 1`);
}

/** risk_analyze_portfolio: volatility, correlation, diversification, concentration and risk contributions. */
export const analyzePortfolio = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_analyze_portfolio',
    description:
      'Risk of a weighted portfolio: annualised volatility, historical VaR/CVaR, correlation matrix, diversification ratio, concentration (HHI, effective number of assets) and each asset’s share of total risk. Give holdings [{symbol, weight}] or your own return series per asset.',
    category: 'risk',
    inputSchema: {
      portfolio: z
        .array(z.object({ symbol: z.string().min(1).max(16), weight: z.number() }))
        .min(2)
        .max(50)
        .optional(),
      returns: z
        .array(z.array(z.number().gt(-1)).min(20))
        .min(2)
        .max(50)
        .optional()
        .describe('One return series per asset (same length), with weights'),
      weights: z.array(z.number()).min(2).max(50).optional(),
      period: z.number().int().min(20).max(5000).default(252),
      confidence_level: z.number().gt(0.5).lt(1).default(0.95),
      portfolio_value: z.number().positive().default(100_000),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      let names: string[];
      let series: number[][];
      let weights: number[];
      let source: unknown;
      if (args.portfolio) {
        names = args.portfolio.map((p) => p.symbol);
        weights = args.portfolio.map((p) => p.weight);
        checkWeights(weights, names.length);
        const aligned = await alignedReturns(provider, names, args.period);
        series = aligned.returns;
        names = aligned.symbols;
        source = { assets: aligned.sources, as_of: aligned.as_of };
      } else if (args.returns && args.weights) {
        series = args.returns;
        weights = args.weights;
        if (new Set(series.map((s) => s.length)).size !== 1)
          throw new ToolInputError('every return series must have the same length');
        checkWeights(weights, series.length);
        names = series.map((_, i) => `asset_${i + 1}`);
        source = { kind: 'user', provider: 'caller-supplied returns' };
      } else {
        throw new ToolInputError(
          'give portfolio [{symbol, weight}], or returns (one series per asset) with weights',
        );
      }
      const cov = covarianceMatrix(series);
      const portfolioReturns = series[0]!.map((_, t) =>
        series.reduce((s, asset, i) => s + weights[i]! * asset[t]!, 0),
      );
      const vol = Math.sqrt(portfolioVariance(cov, weights) * 252);
      const assetVols = series.map((s) => stdev(s) * Math.sqrt(252));
      const hhi = weights.reduce((s, w) => s + w * w, 0);
      const contributions = riskContributions(cov, weights);
      const pairs: { a: string; b: string; correlation: number }[] = [];
      const matrix: Record<string, Record<string, number>> = {};
      for (let i = 0; i < names.length; i++) {
        matrix[names[i]!] = {};
        for (let j = 0; j < names.length; j++) {
          const c = correlation(series[i]!, series[j]!);
          matrix[names[i]!]![names[j]!] = round(c, 4);
          if (j > i) pairs.push({ a: names[i]!, b: names[j]!, correlation: round(c, 4) });
        }
      }
      const var95 = historicalVar(portfolioReturns, args.confidence_level);
      return jsonResult({
        assets: names.map((name, i) => ({
          symbol: name,
          weight: weights[i],
          annualised_volatility: round(assetVols[i]!),
          risk_contribution: round(contributions[i]!),
        })),
        annualised_volatility: round(vol),
        diversification_ratio: round(weights.reduce((s, w, i) => s + w * assetVols[i]!, 0) / vol, 4),
        concentration: { hhi: round(hhi, 4), effective_number_of_assets: round(1 / hhi, 2) },
        value_at_risk: {
          confidence_level: args.confidence_level,
          var_amount: round(var95.var * args.portfolio_value, 2),
          cvar_amount: round(var95.cvar * args.portfolio_value, 2),
        },
        correlation: {
          matrix,
          average: round(pairs.reduce((s, p) => s + p.correlation, 0) / pairs.length, 4),
          highest: pairs.reduce((a, b) => (b.correlation > a.correlation ? b : a)),
          lowest: pairs.reduce((a, b) => (b.correlation < a.correlation ? b : a)),
        },
        source,
      });
    },
  });
