import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

/** Whole shares for a budget: floor of each target, then the leftover goes to the most under-weight assets that fit. */
export function discreteAllocation(
  weights: Record<string, number>,
  prices: Record<string, number>,
  budget: number,
) {
  const symbols = Object.keys(weights);
  const shares: Record<string, number> = Object.fromEntries(
    symbols.map((s) => [s, Math.floor((weights[s]! * budget) / prices[s]!)]),
  );
  let cash = budget - symbols.reduce((s, k) => s + shares[k]! * prices[k]!, 0);
  for (;;) {
    const candidates = symbols
      .filter((s) => prices[s]! <= cash && weights[s]! > 0)
      .map((s) => ({ s, shortfall: weights[s]! - (shares[s]! * prices[s]!) / budget }))
      .sort((a, b) => b.shortfall - a.shortfall);
    const next = candidates[0];
    if (!next) break;
    shares[next.s]!++;
    cash -= prices[next.s]!;
  }
  return { shares, leftover_cash: cash };
}

/** portfolio_allocate: target weights into whole shares for a budget. */
export const allocate = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_allocate',
    description:
      'Turns target weights into whole numbers of shares for a cash budget (prices from your input or the latest close), reporting the achieved weights and leftover cash.',
    category: 'portfolio',
    inputSchema: {
      weights: z.record(z.string().min(1).max(16), z.number().min(0).max(1)),
      budget: z.number().positive(),
      prices: z
        .record(z.string(), z.number().positive())
        .optional()
        .describe('Defaults to the latest close of each symbol'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ weights, budget, prices }) => {
      const symbols = Object.keys(weights);
      if (symbols.length === 0) throw new ToolInputError('weights is empty');
      const sum = Object.values(weights).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-3)
        throw new ToolInputError(`weights sum to ${round(sum, 6)}; they must sum to 1`);
      const used: Record<string, number> = {};
      const sources: Record<string, unknown> = {};
      for (const symbol of symbols) {
        if (prices?.[symbol] !== undefined) {
          used[symbol] = prices[symbol]!;
          sources[symbol] = 'caller-supplied price';
        } else {
          const series = await provider.daily(symbol);
          used[symbol] = series.bars[series.bars.length - 1]!.close;
          sources[symbol] = series.source;
        }
      }
      const { shares, leftover_cash } = discreteAllocation(weights, used, budget);
      return jsonResult({
        budget,
        allocation: symbols.map((s) => ({
          symbol: s,
          shares: shares[s],
          price: round(used[s]!, 4),
          value: round(shares[s]! * used[s]!, 2),
          target_weight: weights[s],
          achieved_weight: round((shares[s]! * used[s]!) / budget, 4),
        })),
        leftover_cash: round(leftover_cash, 2),
        sources,
      });
    },
  });
