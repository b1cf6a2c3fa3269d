import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  chiSquareCdf,
  excessKurtosis,
  mean,
  normalCdf,
  round,
  skewness,
  stdev,
} from '../maths/statistics.js';
import { resolveSeries, seriesInputShape, ToolInputError } from '../series-input.js';

/** Jarque-Bera normality test: statistic and p-value (χ² with 2 degrees of freedom). */
export function jarqueBera(returns: number[]): { statistic: number; p_value: number } {
  const n = returns.length;
  const s = skewness(returns);
  const k = excessKurtosis(returns);
  const statistic = (n / 6) * (s * s + (k * k) / 4);
  return { statistic, p_value: 1 - chiSquareCdf(statistic, 2) };
}

/** risk_analyze_tail_risk: skewness, kurtosis, Jarque-Bera and n-sigma event counts versus a normal. */
export const analyzeTailRisk = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_analyze_tail_risk',
    description:
      'Tail risk of a return series: skewness, excess kurtosis, Jarque-Bera normality test, counts of 2/3/4/5-sigma moves against what a normal distribution predicts, and the worst days.',
    category: 'risk',
    inputSchema: { ...seriesInputShape, period: z.number().int().min(30).max(10_000).default(1000) },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const series = await resolveSeries(args, provider);
      const r = series.returns;
      if (r.length < 30) throw new ToolInputError('tail analysis needs at least 30 returns');
      const mu = mean(r);
      const sigma = stdev(r);
      const jb = jarqueBera(r);
      const events = [2, 3, 4, 5].map((n) => {
        const observed = r.filter((x) => Math.abs(x - mu) > n * sigma).length;
        const expected = r.length * 2 * (1 - normalCdf(n));
        return {
          sigma: n,
          observed,
          expected_if_normal: round(expected, 3),
          ratio: expected === 0 ? null : round(observed / expected, 2),
        };
      });
      const worst = r
        .map((x, i) => ({ return: round(x), date: series.dates?.[i] ?? i }))
        .sort((a, b) => a.return - b.return)
        .slice(0, 5);
      return jsonResult({
        subject: series.label,
        observations: r.length,
        daily_volatility: round(sigma),
        skewness: round(skewness(r), 4),
        excess_kurtosis: round(excessKurtosis(r), 4),
        jarque_bera: {
          statistic: round(jb.statistic, 4),
          p_value: round(jb.p_value, 6),
          normal_rejected_at_5pct: jb.p_value < 0.05,
        },
        sigma_events: events,
        worst_returns: worst,
        source: series.source,
      });
    },
  });
