import { z } from 'zod';
import { defineTool, jsonResult, type SpokeTool } from '../../spoke/spoke-tool.js';
import { runTool } from '../compose-tools.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import { concentration } from '../risk/compliance-rules.js';
import { ToolInputError } from '../series-input.js';
import { healthScore, partFraction, TOLERANCE_VOLATILITY } from './health-score.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** portfolio_generate_dashboard: performance, risk, diversification, drift and taxes as one health score. */
export const portfolioDashboard = (
  provider: MarketDataProvider,
  parts: { performance: SpokeTool; taxes: SpokeTool },
) =>
  defineTool({
    name: 'portfolio_generate_dashboard',
    description:
      'One health report for a portfolio of positions: performance (return, Sharpe, drawdown), risk against a tolerance (conservative/moderate/aggressive = 10/18/28 % volatility), diversification (effective holdings), drift from target weights, and tax efficiency when lots have cost and purchase date. Health score 0-100 (performance 30, risk 25, diversification 20, rebalancing 15, tax 10; parts without inputs left out and the rest scaled), grade A-F, alerts and recommendations.',
    category: 'portfolio',
    tags: ['dashboard', 'report'],
    inputSchema: {
      positions: z
        .array(
          z.object({
            symbol: z.string().min(1).max(16),
            shares: z.number().positive(),
            cost_basis: z.number().positive().optional().describe('Per share'),
            purchase_date: isoDate.optional(),
          }),
        )
        .min(1)
        .max(50),
      target_weights: z.record(z.string().min(1).max(16), z.number().min(0).max(1)).optional(),
      risk_tolerance: z.enum(['conservative', 'moderate', 'aggressive']).default('moderate'),
      period: z.number().int().min(60).max(5000).default(252),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
      short_term_rate: z.number().min(0).max(0.6).default(0.24),
      long_term_rate: z.number().min(0).max(0.4).default(0.15),
      end_date: isoDate.optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args, ctx) => {
      const positions = args.positions.map((p) => ({ ...p, symbol: p.symbol.toUpperCase() }));
      const holdings = [...new Set(positions.map((p) => p.symbol))].map((symbol) => ({
        symbol,
        shares: positions.filter((p) => p.symbol === symbol).reduce((s, p) => s + p.shares, 0),
      }));
      const performance = await runTool(
        parts.performance,
        { holdings, period: args.period, end_date: args.end_date, risk_free_rate: args.risk_free_rate },
        ctx,
      );
      const asOf = (performance.window as { end: string }).end;
      const prices: Record<string, number> = {};
      for (const h of holdings) {
        const series = await provider.daily(h.symbol);
        prices[h.symbol] = series.bars.findLast((b) => b.date <= asOf)!.close;
      }
      const total = holdings.reduce((s, h) => s + h.shares * prices[h.symbol]!, 0);
      const weights = Object.fromEntries(
        holdings.map((h) => [h.symbol, (h.shares * prices[h.symbol]!) / total]),
      );
      const alerts: string[] = [];
      const recommendations: string[] = [];

      const sharpe = performance.sharpe_ratio as number;
      const volatility = performance.annual_volatility as number;
      const accepted = TOLERANCE_VOLATILITY[args.risk_tolerance];
      if (volatility > accepted) {
        alerts.push(
          `volatility ${(volatility * 100).toFixed(1)} % is above the ${args.risk_tolerance} tolerance of ${accepted * 100} %`,
        );
        recommendations.push('Reduce risk: shift weight to lower-volatility holdings or add bonds/cash');
      }
      const c = concentration(weights);
      if (c.largest_weight > 0.25)
        alerts.push(`largest position is ${(c.largest_weight * 100).toFixed(1)} % of the portfolio`);
      if (c.effective_number_of_holdings < 5)
        recommendations.push(
          `Diversify: ${c.effective_number_of_holdings.toFixed(1)} effective holdings; aim for 10 or more`,
        );

      let drift: Record<string, unknown> | undefined;
      if (args.target_weights) {
        const targets = Object.fromEntries(
          Object.entries(args.target_weights).map(([s, w]) => [s.toUpperCase(), w]),
        );
        const sum = Object.values(targets).reduce((s, w) => s + w, 0);
        if (Math.abs(sum - 1) > 1e-3)
          throw new ToolInputError(`target_weights sum to ${round(sum, 6)}; they must sum to 1`);
        const symbols = [...new Set([...Object.keys(targets), ...Object.keys(weights)])];
        const drifts = symbols.map((s) => ({
          symbol: s,
          current: round(weights[s] ?? 0, 6),
          target: targets[s] ?? 0,
          drift: round((weights[s] ?? 0) - (targets[s] ?? 0), 6),
        }));
        const maxDrift = Math.max(...drifts.map((d) => Math.abs(d.drift)));
        if (maxDrift > 0.05)
          recommendations.push(
            'Rebalance: a weight is more than 5 points off target (portfolio_rebalance plans the trades)',
          );
        drift = { max_drift: round(maxDrift, 6), needs_rebalancing: maxDrift > 0.05, weights: drifts };
      }

      let taxes: Record<string, unknown> | undefined;
      let taxFraction: number | undefined;
      if (positions.every((p) => p.cost_basis !== undefined && p.purchase_date !== undefined)) {
        taxes = await runTool(
          parts.taxes,
          {
            lots: positions.map((p) => ({
              symbol: p.symbol,
              shares: p.shares,
              cost_basis: p.cost_basis,
              purchase_date: p.purchase_date,
            })),
            current_prices: prices,
            current_date: asOf,
            short_term_rate: args.short_term_rate,
            long_term_rate: args.long_term_rate,
          },
          ctx,
        );
        const summary = taxes.summary as {
          short_term_gain: number;
          long_term_gain: number;
          harvest_tax_saving: number;
        };
        const gains = Math.max(0, summary.short_term_gain) + Math.max(0, summary.long_term_gain);
        const shortShare = gains === 0 ? 0 : Math.max(0, summary.short_term_gain) / gains;
        taxFraction = partFraction.tax(summary.harvest_tax_saving > 0, shortShare);
        if (summary.harvest_tax_saving > 0)
          recommendations.push(
            `Harvest losses: about ${summary.harvest_tax_saving} of tax to save (see tax.harvest_candidates)`,
          );
      }

      const health = healthScore({
        performance: partFraction.performance(sharpe),
        risk: partFraction.risk(volatility, accepted),
        diversification: partFraction.diversification(c.effective_number_of_holdings),
        rebalancing: drift ? partFraction.rebalancing(drift.max_drift as number) : undefined,
        tax: taxFraction,
      });
      if ((performance.max_drawdown as number) > 0.2)
        alerts.push(`drawdown of ${((performance.max_drawdown as number) * 100).toFixed(1)} % in the window`);
      return jsonResult({
        as_of: asOf,
        value: round(total, 2),
        health,
        alerts,
        recommendations,
        weights: Object.fromEntries(Object.entries(weights).map(([s, w]) => [s, round(w, 6)])),
        diversification: {
          hhi: round(c.hhi, 6),
          effective_number_of_holdings: round(c.effective_number_of_holdings, 3),
          largest_weight: round(c.largest_weight, 6),
        },
        risk: {
          annual_volatility: volatility,
          tolerance: args.risk_tolerance,
          accepted_volatility: accepted,
        },
        performance,
        rebalancing: drift,
        tax: taxes,
        source: performance.source,
      });
    },
  });
