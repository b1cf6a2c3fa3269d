import { z } from 'zod';
import type { MarketDataProvider } from '../data/price-series.js';
import { covarianceMatrix, mean } from '../maths/statistics.js';
import { alignedReturns, ToolInputError } from '../series-input.js';

/** Inputs shared by the optimiser and the frontier: symbols or the caller's return series, plus bounds. */
export const optimizationInputShape = {
  symbols: z.array(z.string().min(1).max(16)).min(2).max(30).optional(),
  returns: z
    .array(z.array(z.number().gt(-1)).min(20))
    .min(2)
    .max(30)
    .optional()
    .describe('Your own daily return series, one per asset, same length'),
  names: z.array(z.string().max(32)).optional().describe('Names of the caller-supplied series'),
  period: z.number().int().min(60).max(5000).default(756).describe('Trading days of history'),
  end_date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  min_weight: z.number().min(0).max(1).default(0),
  max_weight: z.number().min(0).max(1).default(1),
  risk_free_rate: z.number().min(-0.05).max(0.5).default(0.02),
};

export type OptimizationInput = {
  symbols?: string[];
  returns?: number[][];
  names?: string[];
  period: number;
  end_date?: string;
  min_weight: number;
  max_weight: number;
};

/** Annualised expected returns and covariance of the assets, and where the data came from. */
export async function optimizationData(args: OptimizationInput, provider: MarketDataProvider) {
  if ((args.symbols === undefined) === (args.returns === undefined))
    throw new ToolInputError('give exactly one of symbols or returns');
  if (args.min_weight > args.max_weight) throw new ToolInputError('min_weight must not exceed max_weight');
  let names: string[];
  let series: number[][];
  let source: unknown;
  if (args.symbols) {
    const aligned = await alignedReturns(provider, args.symbols, args.period, args.end_date);
    names = aligned.symbols;
    series = aligned.returns;
    source = { assets: aligned.sources, window: [aligned.dates[0], aligned.as_of] };
  } else {
    series = args.returns!;
    if (new Set(series.map((s) => s.length)).size !== 1)
      throw new ToolInputError('every return series must have the same length');
    names = args.names?.length === series.length ? args.names : series.map((_, i) => `asset_${i + 1}`);
    source = { kind: 'user', provider: 'caller-supplied returns' };
  }
  const n = names.length;
  if (args.min_weight * n > 1 + 1e-9)
    throw new ToolInputError(`min_weight ${args.min_weight} × ${n} assets exceeds 100%`);
  if (args.max_weight * n < 1 - 1e-9)
    throw new ToolInputError(`max_weight ${args.max_weight} × ${n} assets cannot reach 100%`);
  const mu = series.map((s) => mean(s) * 252);
  const cov = covarianceMatrix(series).map((row) => row.map((x) => x * 252));
  return { names, mu, cov, bounds: { min: args.min_weight, max: args.max_weight }, source };
}
