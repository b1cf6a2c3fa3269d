import { linearRegression, rSquared } from 'simple-statistics';

/** Least-squares line through (index, value): slope per step, and R². */
export function trendLine(values: number[]): { slope: number; intercept: number; r2: number } {
  const points = values.map((v, i) => [i, v] as [number, number]);
  const { m, b } = linearRegression(points);
  const line = (x: number) => m * x + b;
  return { slope: m, intercept: b, r2: values.length < 3 ? 1 : rSquared(points, line) };
}

/**
 * Local extrema with `order` neighbours on each side: a peak is strictly higher than every one of
 * them, a trough strictly lower (scipy's argrelextrema with np.greater / np.less).
 */
export function localExtrema(values: number[], order: number): { peaks: number[]; troughs: number[] } {
  const peaks: number[] = [];
  const troughs: number[] = [];
  for (let i = order; i < values.length - order; i++) {
    const around = [...values.slice(i - order, i), ...values.slice(i + 1, i + 1 + order)];
    if (around.every((v) => values[i]! > v)) peaks.push(i);
    if (around.every((v) => values[i]! < v)) troughs.push(i);
  }
  return { peaks, troughs };
}

/** Within `tolerance` of each other, relative to their mean. */
const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) / ((a + b) / 2) <= tolerance;

/** Head and shoulders on the last three peaks: the middle the highest, the shoulders within 5 %. */
export function headAndShoulders(values: number[], peaks: number[]) {
  if (peaks.length < 3) return { found: false as const };
  const [l, h, r] = peaks.slice(-3).map((i) => ({ index: i, value: values[i]! })) as [
    { index: number; value: number },
    { index: number; value: number },
    { index: number; value: number },
  ];
  const found = h.value > l.value && h.value > r.value && near(l.value, r.value, 0.05);
  return found ? { found: true as const, left: l, head: h, right: r } : { found: false as const };
}

/** Double top (last two peaks within 3 %, a trough between) or double bottom (troughs likewise). */
export function doubleTopBottom(values: number[], peaks: number[], troughs: number[]) {
  const pair = (indices: number[]) => indices.slice(-2).map((i) => ({ index: i, value: values[i]! }));
  const result: { double_top?: unknown; double_bottom?: unknown } = {};
  if (peaks.length >= 2) {
    const [a, b] = pair(peaks) as [{ index: number; value: number }, { index: number; value: number }];
    const between = troughs.some((t) => t > a.index && t < b.index);
    if (near(a.value, b.value, 0.03) && between) result.double_top = { first: a, second: b };
  }
  if (troughs.length >= 2) {
    const [a, b] = pair(troughs) as [{ index: number; value: number }, { index: number; value: number }];
    const between = peaks.some((p) => p > a.index && p < b.index);
    if (near(a.value, b.value, 0.03) && between) result.double_bottom = { first: a, second: b };
  }
  return result;
}

/**
 * A triangle from the slopes of the lines through recent peaks and through recent troughs,
 * relative to the price level per step: converging (falling highs, rising lows) is symmetrical,
 * flat highs with rising lows ascending, falling highs with flat lows descending.
 */
export function triangle(values: number[], peaks: number[], troughs: number[]) {
  if (peaks.length < 2 || troughs.length < 2) return { kind: 'none' as const };
  const level = values.reduce((s, v) => s + v, 0) / values.length;
  const slopeThrough = (indices: number[]) => {
    const points = indices.slice(-4).map((i) => [i, values[i]!] as [number, number]);
    return linearRegression(points).m / level;
  };
  const high = slopeThrough(peaks);
  const low = slopeThrough(troughs);
  const flat = 0.0005; // 0.05 % of the price level per step
  let kind: 'symmetrical' | 'ascending' | 'descending' | 'none' = 'none';
  if (Math.abs(high) <= flat && low > flat) kind = 'ascending';
  else if (high < -flat && Math.abs(low) <= flat) kind = 'descending';
  else if (high < -flat && low > flat) kind = 'symmetrical';
  return { kind, high_slope: high, low_slope: low };
}
