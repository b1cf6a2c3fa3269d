import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { annualisedVolatility, cumulativeValues, maxDrawdown } from '../maths/performance-metrics.js';
import { correlation, round } from '../maths/statistics.js';
import { alignedReturns, ToolInputError } from '../series-input.js';

/** stock_comparison: returns, volatility, drawdown and the correlation matrix of 2-10 symbols. */
export const stockComparison = (provider: MarketDataProvider) =>
  defineTool({
    name: 'stock_comparison',
    description:
      'Compares 2-10 symbols over the same trading days: total return, annualised volatility, max drawdown, return/risk ranking and the correlation matrix of daily returns.',
    category: 'market',
    inputSchema: {
      symbols: z.array(z.string().min(1).max(16)).min(2).max(10),
      period: z.number().int().min(20).max(5000).default(252),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbols, period, end_date }) => {
      if (new Set(symbols.map((s) => s.toUpperCase())).size !== symbols.length)
        throw new ToolInputError('symbols must be distinct');
      const data = await alignedReturns(provider, symbols, period, end_date);
      const stats = data.symbols.map((symbol, i) => {
        const returns = data.returns[i]!;
        const total = cumulativeValues(returns).pop()! - 1;
        const vol = annualisedVolatility(returns);
        return {
          symbol,
          total_return: round(total),
          annualised_volatility: round(vol),
          max_drawdown: round(maxDrawdown(cumulativeValues(returns)).max_drawdown),
          return_per_risk: round(vol === 0 ? 0 : total / vol),
        };
      });
      const matrix = Object.fromEntries(
        data.symbols.map((a, i) => [
          a,
          Object.fromEntries(
            data.symbols.map((b, j) => [b, round(correlation(data.returns[i]!, data.returns[j]!), 4)]),
          ),
        ]),
      );
      return jsonResult({
        period: { start: data.dates[0], end: data.as_of, trading_days: data.dates.length },
        ranking: [...stats].sort((a, b) => b.return_per_risk - a.return_per_risk).map((s) => s.symbol),
        stats,
        correlation: matrix,
        sources: data.sources,
        as_of: data.as_of,
      });
    },
  });
