import type { Bar } from '../data/price-series.js';

/** z-scores of values against their own mean and sample standard deviation (0s when flat). */
export function zScores(values: number[]): number[] {
  const n = values.length;
  if (n < 2) return values.map(() => 0);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return values.map((v) => (sd === 0 ? 0 : (v - mean) / sd));
}

/** Annualised volatility (sample standard deviation × √252) of each trailing window of returns. */
export function rollingVolatility(returns: number[], window: number): number[] {
  const out: number[] = [];
  for (let end = window; end <= returns.length; end++) {
    const slice = returns.slice(end - window, end);
    const mean = slice.reduce((s, v) => s + v, 0) / window;
    out.push(Math.sqrt((slice.reduce((s, v) => s + (v - mean) ** 2, 0) / (window - 1)) * 252));
  }
  return out;
}

export interface Anomaly {
  date: string;
  value: number;
  z: number;
  severity: 'HIGH' | 'MEDIUM';
}

/** The points whose |z| reaches the threshold, largest first, at most `top`; HIGH from threshold + 1. */
export function flagged(dates: string[], values: number[], threshold: number, top = 10): Anomaly[] {
  const z = zScores(values);
  return values
    .map((value, i) => ({ date: dates[i]!, value, z: z[i]! }))
    .filter((point) => Math.abs(point.z) >= threshold)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .slice(0, top)
    .map((point) => ({ ...point, severity: Math.abs(point.z) >= threshold + 1 ? 'HIGH' : 'MEDIUM' }));
}

/** Closes beyond the highest high or lowest low of the `lookback` bars before them. */
export function rangeBreakouts(
  bars: Bar[],
  lookback: number,
): { date: string; close: number; direction: 'up' | 'down'; level: number }[] {
  const out: { date: string; close: number; direction: 'up' | 'down'; level: number }[] = [];
  for (let i = lookback; i < bars.length; i++) {
    const before = bars.slice(i - lookback, i);
    const high = Math.max(...before.map((b) => b.high));
    const low = Math.min(...before.map((b) => b.low));
    const bar = bars[i]!;
    if (bar.close > high) out.push({ date: bar.date, close: bar.close, direction: 'up', level: high });
    else if (bar.close < low) out.push({ date: bar.date, close: bar.close, direction: 'down', level: low });
  }
  return out;
}

/** Opening gaps: open over the previous close, minus one. */
export function openingGaps(bars: Bar[]): number[] {
  return bars.slice(1).map((bar, i) => bar.open / bars[i]!.close - 1);
}
