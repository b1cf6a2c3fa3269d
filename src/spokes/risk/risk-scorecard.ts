/** A risk indicator's rating: GOOD 2 points, FAIR 1, POOR 0. */
export type Rating = 'GOOD' | 'FAIR' | 'POOR';

interface Threshold {
  /** Lower is better (volatility, VaR, drawdown…) or higher is (Sharpe…). */
  better: 'lower' | 'higher';
  good: number;
  fair: number;
  advice: string;
}

/**
 * The scorecard's thresholds (annualised where it applies). Conventional bands: an equity index
 * runs at ~15–20 % volatility and a Sharpe ratio near 0.5; a 1-day 95 % VaR of 2 % is typical of
 * a diversified equity portfolio.
 */
export const THRESHOLDS: Record<string, Threshold> = {
  annualised_volatility: {
    better: 'lower',
    good: 0.15,
    fair: 0.25,
    advice: 'volatility is high: add lower-volatility or less correlated assets, or reduce the position',
  },
  var_1d: {
    better: 'lower',
    good: 0.02,
    fair: 0.035,
    advice: 'one-day value at risk is high: size positions to the loss you can bear or hedge',
  },
  max_drawdown: {
    better: 'lower',
    good: 0.1,
    fair: 0.25,
    advice: 'deep drawdowns in the window: consider stop-loss rules or a defensive allocation',
  },
  sharpe_ratio: {
    better: 'higher',
    good: 1,
    fair: 0.5,
    advice: 'little return per unit of risk: review whether the risk is being paid for',
  },
  sortino_ratio: {
    better: 'higher',
    good: 1.5,
    fair: 0.75,
    advice: 'downside risk is poorly compensated',
  },
  worst_stress_loss: {
    better: 'lower',
    good: 0.3,
    fair: 0.5,
    advice:
      'a repeat of the worst historical scenario would cost a large share: hedge tail risk or diversify',
  },
  excess_kurtosis: {
    better: 'lower',
    good: 3,
    fair: 6,
    advice: 'fat tails: extreme days are far more frequent than a normal model says; prefer historical VaR',
  },
  effective_holdings: {
    better: 'higher',
    good: 10,
    fair: 5,
    advice: 'concentrated: few positions carry the portfolio; spread the weights',
  },
};

function rate(indicator: keyof typeof THRESHOLDS, value: number): Rating {
  const t = THRESHOLDS[indicator]!;
  if (t.better === 'lower') return value <= t.good ? 'GOOD' : value <= t.fair ? 'FAIR' : 'POOR';
  return value >= t.good ? 'GOOD' : value >= t.fair ? 'FAIR' : 'POOR';
}

/**
 * The scorecard: each indicator rated, a 0–100 score (points over the maximum), the overall risk
 * level (LOW from 70, MODERATE from 40, else HIGH) and advice for every indicator not rated GOOD.
 */
export function scorecard(indicators: Partial<Record<keyof typeof THRESHOLDS, number>>) {
  const rated = Object.entries(indicators)
    .filter((entry): entry is [string, number] => Number.isFinite(entry[1]))
    .map(([name, value]) => ({ indicator: name, value, rating: rate(name, value) }));
  const points = rated.reduce((s, r) => s + (r.rating === 'GOOD' ? 2 : r.rating === 'FAIR' ? 1 : 0), 0);
  const score = rated.length === 0 ? 0 : Math.round((points / (2 * rated.length)) * 100);
  return {
    score,
    risk_level: score >= 70 ? 'LOW' : score >= 40 ? 'MODERATE' : 'HIGH',
    ratings: rated,
    recommendations: rated
      .filter((r) => r.rating !== 'GOOD')
      .sort((a, b) => (a.rating === b.rating ? 0 : a.rating === 'POOR' ? -1 : 1))
      .map((r) => `${r.rating === 'POOR' ? 'Priority' : 'Watch'}: ${THRESHOLDS[r.indicator]!.advice}`),
  };
}
