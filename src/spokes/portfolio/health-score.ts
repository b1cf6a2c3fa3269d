/** The parts of the portfolio health score and their weights (the original's: 30/25/20/15/10). */
const HEALTH_WEIGHTS = {
  performance: 30,
  risk: 25,
  diversification: 20,
  rebalancing: 15,
  tax: 10,
} as const;

export type HealthPart = keyof typeof HEALTH_WEIGHTS;

/** Annual volatility each risk tolerance accepts. */
export const TOLERANCE_VOLATILITY = { conservative: 0.1, moderate: 0.18, aggressive: 0.28 } as const;

/** Each part's rating as a fraction of its weight, from the measures the dashboard has. */
export const partFraction = {
  /** By Sharpe ratio: ≥ 1 full, ≥ 0.5 two thirds, ≥ 0 one third. */
  performance: (sharpe: number) => (sharpe >= 1 ? 1 : sharpe >= 0.5 ? 2 / 3 : sharpe >= 0 ? 1 / 3 : 0),
  /** Volatility within the tolerance: full; within 1.25× of it: 0.6; beyond: 0.2. */
  risk: (volatility: number, accepted: number) =>
    volatility <= accepted ? 1 : volatility <= 1.25 * accepted ? 0.6 : 0.2,
  /** Effective number of holdings (1/HHI): ≥ 10 full, ≥ 5 0.7, ≥ 3 0.4, else 0.15. */
  diversification: (effective: number) =>
    effective >= 10 ? 1 : effective >= 5 ? 0.7 : effective >= 3 ? 0.4 : 0.15,
  /** Largest drift from target weight: ≤ 5 points full, ≤ 10 half, beyond 0.2. */
  rebalancing: (maxDrift: number) => (maxDrift <= 0.05 ? 1 : maxDrift <= 0.1 ? 0.5 : 0.2),
  /** Unharvested losses without wash-sale risk, or most gains short-term, cost half each. */
  tax: (unharvestedLosses: boolean, shortTermShareOfGains: number) =>
    1 - (unharvestedLosses ? 0.5 : 0) - (shortTermShareOfGains > 0.5 ? 0.5 : 0),
};

/**
 * The health score 0–100: each part scored out of its weight; a part the inputs cannot measure
 * (no target weights, no purchase lots) is left out and the rest scaled to 100, and named.
 */
export function healthScore(fractions: Partial<Record<HealthPart, number>>) {
  const scored = (Object.keys(HEALTH_WEIGHTS) as HealthPart[]).filter((p) => fractions[p] !== undefined);
  const possible = scored.reduce((s, p) => s + HEALTH_WEIGHTS[p], 0);
  const earned = scored.reduce((s, p) => s + HEALTH_WEIGHTS[p] * fractions[p]!, 0);
  const score = possible === 0 ? 0 : Math.round((earned / possible) * 100);
  return {
    score,
    grade: score >= 85 ? 'A' : score >= 70 ? 'B' : score >= 55 ? 'C' : score >= 40 ? 'D' : 'F',
    parts: Object.fromEntries(
      scored.map((p) => [
        p,
        { points: Math.round(HEALTH_WEIGHTS[p] * fractions[p]! * 10) / 10, of: HEALTH_WEIGHTS[p] },
      ]),
    ),
    not_scored: (Object.keys(HEALTH_WEIGHTS) as HealthPart[]).filter((p) => fractions[p] === undefined),
  };
}
