import { covariance, mean, stdev } from './statistics.js';

const TRADING_DAYS = 252;

export function annualisedVolatility(returns: number[], periodsPerYear = TRADING_DAYS): number {
  return stdev(returns) * Math.sqrt(periodsPerYear);
}

/** Sharpe ratio: (annualised mean − rf) / annualised volatility. */
export function sharpeRatio(returns: number[], riskFreeRate: number, periodsPerYear = TRADING_DAYS): number {
  const vol = annualisedVolatility(returns, periodsPerYear);
  return vol === 0 ? 0 : (mean(returns) * periodsPerYear - riskFreeRate) / vol;
}

/** Downside deviation below the per-period risk-free rate, annualised. */
export function downsideDeviation(
  returns: number[],
  riskFreeRate: number,
  periodsPerYear = TRADING_DAYS,
): number {
  const target = riskFreeRate / periodsPerYear;
  const squares = returns.map((r) => Math.min(0, r - target) ** 2);
  return Math.sqrt(mean(squares)) * Math.sqrt(periodsPerYear);
}

export function sortinoRatio(returns: number[], riskFreeRate: number, periodsPerYear = TRADING_DAYS): number {
  const dd = downsideDeviation(returns, riskFreeRate, periodsPerYear);
  return dd === 0 ? 0 : (mean(returns) * periodsPerYear - riskFreeRate) / dd;
}

export interface Drawdown {
  max_drawdown: number;
  peak_index: number;
  trough_index: number;
  /** Index where the value regained the peak, or null if it never did. */
  recovery_index: number | null;
}

/** Largest peak-to-trough fall of a value series (a positive fraction), with where it happened. */
export function maxDrawdown(values: number[]): Drawdown {
  let peak = 0;
  let best: Drawdown = { max_drawdown: 0, peak_index: 0, trough_index: 0, recovery_index: null };
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[peak]!) peak = i;
    const dd = 1 - values[i]! / values[peak]!;
    if (dd > best.max_drawdown)
      best = { max_drawdown: dd, peak_index: peak, trough_index: i, recovery_index: null };
  }
  if (best.max_drawdown > 0) {
    for (let i = best.trough_index + 1; i < values.length; i++) {
      if (values[i]! >= values[best.peak_index]!) {
        best.recovery_index = i;
        break;
      }
    }
  }
  return best;
}

/** Growth of 1 through a return series, starting at 1. */
export function cumulativeValues(returns: number[]): number[] {
  const values = [1];
  for (const r of returns) values.push(values[values.length - 1]! * (1 + r));
  return values;
}

export function cagr(returns: number[], periodsPerYear = TRADING_DAYS): number {
  const growth = cumulativeValues(returns).pop()!;
  const years = returns.length / periodsPerYear;
  return years > 0 && growth > 0 ? growth ** (1 / years) - 1 : 0;
}

/** Beta, annualised Jensen's alpha, tracking error and information ratio against a benchmark. */
export function benchmarkMetrics(
  returns: number[],
  benchmark: number[],
  riskFreeRate: number,
  periodsPerYear = TRADING_DAYS,
) {
  const beta = covariance(returns, benchmark) / covariance(benchmark, benchmark);
  const rf = riskFreeRate / periodsPerYear;
  const alpha = (mean(returns) - rf - beta * (mean(benchmark) - rf)) * periodsPerYear;
  const active = returns.map((r, i) => r - benchmark[i]!);
  const trackingError = stdev(active) * Math.sqrt(periodsPerYear);
  return {
    beta,
    alpha,
    tracking_error: trackingError,
    information_ratio: trackingError === 0 ? 0 : (mean(active) * periodsPerYear) / trackingError,
  };
}
