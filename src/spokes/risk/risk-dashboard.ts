import { z } from 'zod';
import { defineTool, jsonResult, type SpokeTool } from '../../spoke/spoke-tool.js';
import { runTool } from '../compose-tools.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import { alignedReturns, ToolInputError } from '../series-input.js';
import { checkWeights } from './analyze-portfolio.js';
import { scorecard } from './risk-scorecard.js';

/** The risk tools the dashboard combines. */
export interface RiskDashboardParts {
  var: SpokeTool;
  metrics: SpokeTool;
  portfolio: SpokeTool;
  stress: SpokeTool;
  tail: SpokeTool;
}

type Section = Record<string, unknown>;

/** risk_generate_dashboard: VaR, metrics, stress and tail risk in one call, rated on a scorecard. */
export const riskDashboard = (provider: MarketDataProvider, parts: RiskDashboardParts) =>
  defineTool({
    name: 'risk_generate_dashboard',
    description:
      'One risk report for a symbol or a weighted portfolio: value at risk (historical and parametric), return/risk metrics (volatility, Sharpe, Sortino, drawdown), optional historical stress scenarios and tail risk (kurtosis, sigma events), rated on a scorecard (GOOD/FAIR/POOR per indicator, score 0-100, risk level) with recommendations.',
    category: 'risk',
    tags: ['dashboard', 'report'],
    inputSchema: {
      symbol: z.string().min(1).max(16).optional(),
      portfolio: z
        .array(z.object({ symbol: z.string().min(1).max(16), weight: z.number() }))
        .min(1)
        .max(50)
        .optional(),
      portfolio_value: z.number().positive().default(100_000),
      period: z.number().int().min(60).max(5000).default(252).describe('Trading days'),
      confidence_level: z.number().gt(0.5).lt(1).default(0.95),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
      include_stress_test: z.boolean().default(true),
      include_tail_risk: z.boolean().default(true),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args, ctx) => {
      if ((args.symbol === undefined) === (args.portfolio === undefined))
        throw new ToolInputError('give exactly one of symbol or portfolio');
      const common = { confidence_level: args.confidence_level, portfolio_value: args.portfolio_value };
      const holdings = args.portfolio ?? [{ symbol: args.symbol!, weight: 1 }];
      checkWeights(
        holdings.map((h) => h.weight),
        holdings.length,
      );
      // One asset: its own series; a portfolio: its daily returns at constant weights.
      let series: Record<string, unknown>;
      let portfolioSection: Section | undefined;
      if (args.symbol) {
        series = { symbol: args.symbol, period: args.period, end_date: args.end_date };
      } else {
        const aligned = await alignedReturns(
          provider,
          holdings.map((h) => h.symbol),
          args.period,
          args.end_date,
        );
        const returns = aligned.dates.map((_, t) =>
          holdings.reduce((s, h, i) => s + h.weight * aligned.returns[i]![t]!, 0),
        );
        series = { returns };
        if (holdings.length >= 2)
          portfolioSection = await runTool(
            parts.portfolio,
            { portfolio: holdings, period: args.period, ...common },
            ctx,
          );
      }
      const value = await runTool(parts.var, { ...series, method: 'all', ...common }, ctx);
      const metrics = await runTool(parts.metrics, { ...series, risk_free_rate: args.risk_free_rate }, ctx);
      // The scenarios are moves of the S&P 500 itself, applied by beta: the index has none to stress.
      const holdsIndex = holdings.some((h) => h.symbol.toUpperCase() === 'SPX');
      const stress =
        args.include_stress_test && !holdsIndex
          ? await runTool(parts.stress, { portfolio: holdings, portfolio_value: args.portfolio_value }, ctx)
          : undefined;
      const tail = args.include_tail_risk
        ? await runTool(parts.tail, { ...series, period: Math.max(args.period, 30) }, ctx)
        : undefined;

      const results = value.results as Record<string, { var_fraction: number }>;
      const drawdown = metrics.max_drawdown as { fraction: number };
      const scenarios = (stress?.historical_scenarios ?? []) as { portfolio_return: number }[];
      const concentration = portfolioSection?.concentration as
        | { effective_number_of_assets: number }
        | undefined;
      const card = scorecard({
        annualised_volatility: metrics.annualised_volatility as number,
        var_1d: results.historical?.var_fraction,
        max_drawdown: drawdown?.fraction,
        sharpe_ratio: metrics.sharpe_ratio as number,
        sortino_ratio: metrics.sortino_ratio as number,
        worst_stress_loss: scenarios.length
          ? -Math.min(...scenarios.map((s) => s.portfolio_return))
          : undefined,
        excess_kurtosis: tail?.excess_kurtosis as number | undefined,
        effective_holdings: concentration?.effective_number_of_assets,
      });
      return jsonResult({
        subject: args.symbol ?? holdings.map((h) => `${h.symbol} ${round(h.weight * 100, 2)} %`).join(', '),
        scorecard: { ...card, ratings: card.ratings.map((r) => ({ ...r, value: round(r.value, 6) })) },
        key_risk_indicators: {
          var_1d_historical: results.historical?.var_fraction,
          var_1d_parametric: results.parametric?.var_fraction,
          annualised_volatility: metrics.annualised_volatility,
          sharpe_ratio: metrics.sharpe_ratio,
          max_drawdown: drawdown?.fraction,
          worst_scenario: stress?.worst_case,
        },
        value_at_risk: value,
        metrics,
        portfolio: portfolioSection,
        stress_test:
          stress ??
          (args.include_stress_test
            ? {
                skipped:
                  'SPX is the index the scenarios move; its own history is the stress (see max_drawdown)',
              }
            : undefined),
        tail_risk: tail,
        // The sections carry their sources (synthetic series are named in the first line of the answer).
        source: value.source ?? metrics.source,
      });
    },
  });
