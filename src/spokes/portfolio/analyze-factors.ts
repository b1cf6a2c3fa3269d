import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  factorRegression,
  longShortFactor,
  lowVolatilitySignal,
  momentumSignal,
} from '../maths/factor-model.js';
import { mean, round } from '../maths/statistics.js';
import { checkWeights } from '../risk/analyze-portfolio.js';
import { alignedReturns, ToolInputError } from '../series-input.js';

const FACTORS = ['market', 'momentum', 'low_volatility'] as const;
/** Days before the first regression day the signals need (12-1 momentum looks back a year). */
const WARM_UP = 252;

/** portfolio_analyze_factors: exposures to proxy factors built from the data, by OLS regression. */
export const analyzeFactors = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_analyze_factors',
    description:
      "A portfolio's exposures to proxy factors built from the spokes' own price data (not Fama-French data): market (the S&P 500's excess return), momentum (12-1 month winners minus losers of the equity universe, top minus bottom third, monthly) and low volatility (60-day calmest minus most volatile third). OLS of the portfolio's daily excess returns: annualised alpha, betas with t-statistics, R², each factor's return contribution. Size and value need fundamentals the data lacks and are not offered.",
    category: 'portfolio',
    tags: ['factors', 'attribution', 'regression'],
    inputSchema: {
      positions: z
        .record(z.string().min(1).max(16), z.number())
        .describe('Weights by ticker, e.g. {"AAPL": 0.6, "MSFT": 0.4}, summing to 1'),
      factors: z
        .array(z.enum([...FACTORS, 'all']))
        .min(1)
        .default(['all']),
      period: z.number().int().min(60).max(2520).default(504).describe('Trading days regressed'),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
      benchmark: z.string().min(1).max(16).default('SPX'),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ positions, factors, period, risk_free_rate, benchmark, end_date }) => {
      const holdings = Object.entries(positions).map(([s, w]) => [s.toUpperCase(), w] as const);
      if (holdings.length === 0) throw new ToolInputError('positions needs at least one ticker');
      checkWeights(
        holdings.map(([, w]) => w),
        holdings.length,
      );
      const chosen: (typeof FACTORS)[number][] = factors.includes('all')
        ? [...FACTORS]
        : [...new Set(factors.filter((f) => f !== 'all'))];
      const universe = provider
        .symbols()
        .filter((s) => s.assetClass === 'equity')
        .map((s) => s.symbol);
      const bench = benchmark.toUpperCase();
      // One aligned panel: the holdings, the benchmark, then the universe the long-short factors rank.
      const symbols = [...new Set([...holdings.map(([s]) => s), bench, ...universe])];
      const panel = await alignedReturns(provider, symbols, period + WARM_UP, end_date);
      if (panel.dates.length < WARM_UP + 60)
        throw new ToolInputError(
          `these series share ${panel.dates.length} days; the factors need ${WARM_UP} days of history before at least 60 regressed`,
        );
      const index = (s: string) => panel.symbols.indexOf(s);
      const rfDaily = risk_free_rate / 252;
      const days = panel.dates.length;
      const start = days - Math.min(period, days - WARM_UP);
      const portfolio = panel.dates
        .map((_, t) => holdings.reduce((s, [sym, w]) => s + w * panel.returns[index(sym)]![t]!, 0) - rfDaily)
        .slice(start);
      const universeReturns = universe.map((s) => panel.returns[index(s)]!);
      const factorSeries: Record<(typeof FACTORS)[number], () => number[]> = {
        market: () => panel.returns[index(bench)]!.slice(start).map((r) => r - rfDaily),
        momentum: () => longShortFactor(universeReturns, momentumSignal(universeReturns), start),
        low_volatility: () => longShortFactor(universeReturns, lowVolatilitySignal(universeReturns), start),
      };
      const columns = chosen.map((f) => factorSeries[f]());
      const fit = factorRegression(portfolio, columns);
      return jsonResult({
        positions: Object.fromEntries(holdings),
        window: { start: panel.dates[start], end: panel.as_of, days: portfolio.length },
        alpha_annualised: round(fit.alpha * 252, 6),
        alpha_t_stat: round(fit.alphaT, 3),
        r_squared: round(fit.r2, 4),
        adjusted_r_squared: round(fit.adjustedR2, 4),
        exposures: chosen.map((name, i) => ({
          factor: name,
          beta: round(fit.betas[i]!, 4),
          t_stat: round(fit.tStats[i]!, 3),
          significant_at_5pct: fit.pValues[i]! < 0.05,
          factor_return_annualised: round(mean(columns[i]!) * 252, 6),
          contribution_annualised: round(fit.betas[i]! * mean(columns[i]!) * 252, 6),
        })),
        method:
          'proxy factors from the price data (not Fama-French); OLS on daily excess returns; momentum and low volatility re-ranked every 21 days on data before each ranking',
        source: {
          holdings: panel.sources.filter((s) => holdings.some(([h]) => h === s.symbol)),
          // The factors are as real as the series they are built from: synthetic members are said so.
          factors: {
            symbol: 'factor universe',
            kind: panel.sources.some((x) => universe.includes(x.symbol) && x.kind === 'synthetic')
              ? 'synthetic'
              : 'real',
            built_from: `${universe.length} equities of the data provider and ${bench}`,
          },
          as_of: panel.as_of,
        },
      });
    },
  });
