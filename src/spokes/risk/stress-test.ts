import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { covariance, round } from '../maths/statistics.js';
import { alignedReturns, ToolInputError } from '../series-input.js';
import { checkWeights } from './analyze-portfolio.js';

/** Real S&P 500 episodes in the bundled data: peak and trough dates. */
const HISTORICAL_SCENARIOS: Record<string, { name: string; start: string; end: string }> = {
  dotcom_2000: { name: 'Dot-com bust', start: '2000-03-24', end: '2002-10-09' },
  gfc_2008: { name: 'Global financial crisis', start: '2007-10-09', end: '2009-03-09' },
  euro_2011: { name: 'US downgrade / euro crisis', start: '2011-04-29', end: '2011-10-03' },
  china_2015: { name: 'China devaluation', start: '2015-07-20', end: '2015-08-25' },
  q4_2018: { name: 'Q4 2018 sell-off', start: '2018-09-20', end: '2018-12-24' },
  covid_2020: { name: 'COVID-19 crash', start: '2020-02-19', end: '2020-03-23' },
};

/** risk_stress_test: replays of real market crashes and hypothetical shocks on a portfolio. */
export const stressTest = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_stress_test',
    description:
      "Stress test of a portfolio: replays real S&P 500 crashes from the bundled data (dot-com, 2008, 2011, 2015, Q4 2018, COVID 2020), scaled by each holding's beta to the index, plus hypothetical market shocks. Holdings with their own history in a window use their actual return.",
    category: 'risk',
    inputSchema: {
      portfolio: z
        .array(z.object({ symbol: z.string().min(1).max(16), weight: z.number() }))
        .min(1)
        .max(50),
      portfolio_value: z.number().positive().default(100_000),
      scenarios: z
        .array(z.enum(Object.keys(HISTORICAL_SCENARIOS) as [string, ...string[]]))
        .optional()
        .describe('Default: all'),
      market_shocks: z
        .array(z.number().min(-0.99).max(0.5))
        .max(20)
        .default([-0.1, -0.2, -0.3])
        .describe('Hypothetical index moves, e.g. -0.2'),
      beta_period: z.number().int().min(60).max(2520).default(756),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const weights = args.portfolio.map((p) => p.weight);
      checkWeights(weights, weights.length);
      const symbols = args.portfolio.map((p) => p.symbol.toUpperCase());
      if (symbols.includes('SPX'))
        throw new ToolInputError(
          'SPX is the stress index itself; hold it through another symbol or leave it out',
        );
      const spx = await provider.daily('SPX');
      const betas = await Promise.all(
        symbols.map(async (symbol) => {
          const aligned = await alignedReturns(provider, [symbol, 'SPX'], args.beta_period);
          return (
            covariance(aligned.returns[0]!, aligned.returns[1]!) /
            covariance(aligned.returns[1]!, aligned.returns[1]!)
          );
        }),
      );
      const portfolioBeta = weights.reduce((s, w, i) => s + w * betas[i]!, 0);
      const windows = await Promise.all(symbols.map((s) => provider.daily(s)));
      const atOrBefore = (bars: { date: string; close: number }[], date: string) =>
        bars.findLast((b) => b.date <= date)?.close;
      const historical = (args.scenarios ?? Object.keys(HISTORICAL_SCENARIOS)).map((id) => {
        const scenario = HISTORICAL_SCENARIOS[id]!;
        const indexMove =
          (atOrBefore(spx.bars, scenario.end) ?? 0) / (atOrBefore(spx.bars, scenario.start) ?? 1) - 1;
        const holdings = symbols.map((symbol, i) => {
          const bars = windows[i]!.bars;
          const covered = bars[0]!.date <= scenario.start && windows[i]!.source.as_of >= scenario.end;
          const move = covered
            ? atOrBefore(bars, scenario.end)! / atOrBefore(bars, scenario.start)! - 1
            : betas[i]! * indexMove;
          return {
            symbol,
            method: covered ? `actual ${windows[i]!.source.kind} history` : 'beta × index move',
            return: round(move),
          };
        });
        const portfolioReturn = holdings.reduce((s, h, i) => s + weights[i]! * h.return, 0);
        return {
          id,
          name: scenario.name,
          window: [scenario.start, scenario.end],
          index_return: round(indexMove),
          portfolio_return: round(portfolioReturn),
          pnl: round(portfolioReturn * args.portfolio_value, 2),
          holdings,
        };
      });
      return jsonResult({
        portfolio_beta: round(portfolioBeta, 4),
        historical_scenarios: historical,
        hypothetical_shocks: args.market_shocks.map((shock) => ({
          index_move: shock,
          portfolio_return: round(portfolioBeta * shock),
          pnl: round(portfolioBeta * shock * args.portfolio_value, 2),
        })),
        worst_case: historical.reduce(
          (a, b) => (b.portfolio_return < a.portfolio_return ? b : a),
          historical[0]!,
        )?.id,
        source: {
          index: spx.source,
          holdings: windows.map((w) => ({
            symbol: w.symbol,
            kind: w.source.kind,
            provider: w.source.provider,
          })),
        },
      });
    },
  });
