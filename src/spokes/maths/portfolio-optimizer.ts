/** Long-only weight bounds per asset (defaults 0 and 1). */
export interface Bounds {
  min: number;
  max: number;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const matVec = (m: number[][], v: number[]) => m.map((row) => dot(row, v));
export const portfolioVariance = (cov: number[][], w: number[]) => dot(w, matVec(cov, w));

/** Euclidean projection onto {Σw = 1, min ≤ w ≤ max} (bisection on the shift λ). */
function projectOntoBudget(v: number[], bounds: Bounds): number[] {
  const clamp = (x: number) => Math.min(bounds.max, Math.max(bounds.min, x));
  let lo = Math.min(...v) - bounds.max - 1;
  let hi = Math.max(...v) - bounds.min + 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const sum = v.reduce((s, x) => s + clamp(x - mid), 0);
    if (sum > 1) lo = mid;
    else hi = mid;
  }
  return v.map((x) => clamp(x - (lo + hi) / 2));
}

/**
 * Minimises w'Σw − λ·μ'w over the bounded budget set by projected gradient descent
 * (convex, so the fixed point is the optimum). λ = 0 gives the minimum-variance portfolio.
 */
function meanVarianceWeights(
  cov: number[][],
  mu: number[],
  lambda: number,
  bounds: Bounds,
  start?: number[],
): number[] {
  const n = cov.length;
  const trace = cov.reduce((s, row, i) => s + row[i]!, 0);
  const step = 1 / (2 * trace + 1e-12);
  let w = projectOntoBudget(start ?? Array(n).fill(1 / n), bounds);
  for (let iter = 0; iter < 20_000; iter++) {
    const grad = matVec(cov, w).map((g, i) => 2 * g - lambda * mu[i]!);
    const next = projectOntoBudget(
      w.map((x, i) => x - step * grad[i]!),
      bounds,
    );
    const moved = next.reduce((s, x, i) => s + Math.abs(x - w[i]!), 0);
    w = next;
    if (moved < 1e-12) break;
  }
  return w;
}

export function minimumVariance(cov: number[][], bounds: Bounds): number[] {
  return meanVarianceWeights(cov, Array(cov.length).fill(0), 0, bounds);
}

/** The frontier portfolio with expected return `target` (bisection on the return/risk trade-off). */
export function targetReturnWeights(
  cov: number[][],
  mu: number[],
  target: number,
  bounds: Bounds,
): number[] | null {
  const gmv = minimumVariance(cov, bounds);
  if (dot(gmv, mu) >= target) return gmv;
  let hi = 1;
  while (dot(meanVarianceWeights(cov, mu, hi, bounds), mu) < target) {
    hi *= 2;
    if (hi > 1e8) return null;
  }
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (dot(meanVarianceWeights(cov, mu, mid, bounds), mu) < target) lo = mid;
    else hi = mid;
  }
  return meanVarianceWeights(cov, mu, hi, bounds);
}

/** Maximum Sharpe ratio portfolio: the frontier point with the best (μ'w − rf)/σ (golden-section search over λ). */
export function maximumSharpe(cov: number[][], mu: number[], riskFree: number, bounds: Bounds): number[] {
  const sharpe = (w: number[]) => (dot(w, mu) - riskFree) / Math.sqrt(portfolioVariance(cov, w));
  // Each step of the search starts from the previous solution: neighbouring trade-offs have
  // neighbouring optima, so the projected gradient needs a fraction of the iterations (the problem
  // is convex; the answer does not depend on the start). From equal weights every time, four
  // assets with bounds took 16–19 s.
  let previous: number[] | undefined;
  const at = (logLambda: number) => {
    previous = meanVarianceWeights(cov, mu, Math.exp(logLambda), bounds, previous);
    return previous;
  };
  let lo = -12;
  let hi = 12;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (sharpe(at(a)) < sharpe(at(b))) lo = a;
    else hi = b;
  }
  const best = at((lo + hi) / 2);
  const gmv = minimumVariance(cov, bounds);
  return sharpe(gmv) > sharpe(best) ? gmv : best;
}

/** Equal risk contribution (long-only), by cyclical coordinate descent. */
export function riskParity(cov: number[][]): number[] {
  const n = cov.length;
  let w = cov.map((row, i) => 1 / Math.sqrt(row[i]!));
  const sum = w.reduce((a, b) => a + b, 0);
  w = w.map((x) => x / sum);
  for (let iter = 0; iter < 500; iter++) {
    const sigma = Math.sqrt(portfolioVariance(cov, w));
    for (let i = 0; i < n; i++) {
      const c = cov[i]!.reduce((s, x, j) => (j === i ? s : s + x * w[j]!), 0);
      const a = cov[i]![i]!;
      w[i] = (-c + Math.sqrt(c * c + (4 * a * sigma) / n)) / (2 * a);
    }
  }
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** Each asset's share of portfolio volatility: w_i (Σw)_i / w'Σw (sums to 1). */
export function riskContributions(cov: number[][], w: number[]): number[] {
  const variance = portfolioVariance(cov, w);
  const marginal = matVec(cov, w);
  return w.map((x, i) => (x * marginal[i]!) / variance);
}

export { dot };
