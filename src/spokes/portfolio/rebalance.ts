import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import { round } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

export interface RebalanceInput {
  positions: { symbol: string; shares: number; price: number }[];
  targets: Record<string, number>;
  cash: number;
  threshold: number;
  costBps: number;
  fixedCost: number;
}

/** Whole-share trades that bring weights within `threshold` of their targets, with costs and turnover. */
export function planRebalance(input: RebalanceInput) {
  const prices = new Map(input.positions.map((p) => [p.symbol, p.price]));
  for (const symbol of Object.keys(input.targets))
    if (!prices.has(symbol))
      throw new ToolInputError(`target ${symbol} has no position with a price; add it with shares 0`);
  const total = input.positions.reduce((s, p) => s + p.shares * p.price, 0) + input.cash;
  if (total <= 0) throw new ToolInputError('the portfolio has no value');
  const rows = input.positions.map((p) => {
    const value = p.shares * p.price;
    const current = value / total;
    const target = input.targets[p.symbol] ?? 0;
    return {
      symbol: p.symbol,
      price: p.price,
      shares: p.shares,
      current_weight: current,
      target_weight: target,
      drift: current - target,
    };
  });
  const maxDrift = Math.max(...rows.map((r) => Math.abs(r.drift)));
  const needed = maxDrift > input.threshold;
  const trades = needed
    ? rows
        .map((r) => {
          const targetShares = Math.floor((r.target_weight * total) / r.price);
          const delta = targetShares - r.shares;
          const notional = Math.abs(delta) * r.price;
          return {
            symbol: r.symbol,
            action: delta > 0 ? 'buy' : delta < 0 ? 'sell' : 'hold',
            shares: Math.abs(delta),
            notional: round(notional, 2),
            cost: delta === 0 ? 0 : round((notional * input.costBps) / 10_000 + input.fixedCost, 2),
          };
        })
        .filter((t) => t.action !== 'hold')
    : [];
  const turnover = trades.reduce((s, t) => s + t.notional, 0) / total;
  const totalCost = trades.reduce((s, t) => s + t.cost, 0);
  const cashAfter =
    input.cash + trades.reduce((s, t) => s + (t.action === 'sell' ? t.notional : -t.notional), 0) - totalCost;
  return {
    total_value: round(total, 2),
    rebalance_needed: needed,
    max_drift: round(maxDrift),
    positions: rows.map((r) => ({ ...r, current_weight: round(r.current_weight), drift: round(r.drift) })),
    trades,
    turnover: round(turnover),
    total_cost: round(totalCost, 2),
    cash_after: round(cashAfter, 2),
  };
}

/** portfolio_rebalance: trades to reach target weights, with a drift threshold and costs. */
export const rebalance = () =>
  defineTool({
    name: 'portfolio_rebalance',
    description:
      'Whole-share trades that bring a portfolio back to target weights when any weight drifts more than the threshold, with proportional (bps) and fixed costs, turnover and cash after trading.',
    category: 'portfolio',
    inputSchema: {
      positions: z
        .array(
          z.object({
            symbol: z.string().min(1).max(16),
            shares: z.number().min(0),
            price: z.number().positive(),
          }),
        )
        .min(1)
        .max(200),
      target_weights: z.record(z.string(), z.number().min(0).max(1)),
      cash: z.number().min(0).default(0),
      threshold: z.number().min(0).max(1).default(0.05).describe('Largest tolerated |weight − target|'),
      cost_bps: z.number().min(0).max(500).default(5),
      fixed_cost: z.number().min(0).default(0),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: (args) => {
      const sum = Object.values(args.target_weights).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-3)
        throw new ToolInputError(`target weights sum to ${round(sum, 6)}; they must sum to 1`);
      return jsonResult(
        planRebalance({
          positions: args.positions,
          targets: args.target_weights,
          cash: args.cash,
          threshold: args.threshold,
          costBps: args.cost_bps,
          fixedCost: args.fixed_cost,
        }),
      );
    },
  });
