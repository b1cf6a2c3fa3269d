import seedrandom from 'seedrandom';
import { excessKurtosis, mean, normalInv, normalPdf, quantile, skewness, stdev } from './statistics.js';

/** VaR and CVaR (expected shortfall) as positive loss fractions of the position over the horizon. */
export interface RiskEstimate {
  var: number;
  cvar: number;
}

/** Overlapping h-day compounded returns (h = 1 returns the input). */
function horizonReturns(returns: number[], horizon: number): number[] {
  if (horizon <= 1) return returns;
  const out: number[] = [];
  for (let i = 0; i + horizon <= returns.length; i++) {
    let growth = 1;
    for (let j = i; j < i + horizon; j++) growth *= 1 + returns[j]!;
    out.push(growth - 1);
  }
  return out;
}

/** Historical simulation on (overlapping) horizon returns: the empirical loss quantile and the mean beyond it. */
export function historicalVar(returns: number[], confidence: number, horizon = 1): RiskEstimate {
  const sample = horizonReturns(returns, horizon);
  const cutoff = quantile(sample, 1 - confidence);
  const tail = sample.filter((r) => r <= cutoff);
  return { var: -cutoff, cvar: -mean(tail) };
}

/** Normal (variance-covariance) VaR with the mean scaled by h and the volatility by √h. */
export function parametricVar(returns: number[], confidence: number, horizon = 1): RiskEstimate {
  const mu = mean(returns) * horizon;
  const sigma = stdev(returns) * Math.sqrt(horizon);
  const z = normalInv(1 - confidence);
  return { var: -(mu + z * sigma), cvar: -(mu - (sigma * normalPdf(z)) / (1 - confidence)) };
}

/** Cornish-Fisher VaR: the normal quantile corrected for the sample's skewness and excess kurtosis. */
export function cornishFisherVar(
  returns: number[],
  confidence: number,
  horizon = 1,
): RiskEstimate & { z_adjusted: number } {
  const mu = mean(returns) * horizon;
  const sigma = stdev(returns) * Math.sqrt(horizon);
  const z = normalInv(1 - confidence);
  const s = skewness(returns);
  const k = excessKurtosis(returns);
  const zcf = z + ((z * z - 1) * s) / 6 + ((z ** 3 - 3 * z) * k) / 24 - ((2 * z ** 3 - 5 * z) * s * s) / 36;
  const normal = parametricVar(returns, confidence, horizon);
  // CVaR keeps the normal tail shape scaled by the CF/normal quantile ratio (a common approximation).
  return { var: -(mu + zcf * sigma), cvar: normal.cvar * (zcf / z), z_adjusted: zcf };
}

/** Monte Carlo VaR: seeded normal paths with the sample's mean and volatility, compounded over the horizon. */
export function monteCarloVar(
  returns: number[],
  confidence: number,
  horizon = 1,
  simulations = 10_000,
  seed = 42,
): RiskEstimate {
  const mu = mean(returns);
  const sigma = stdev(returns);
  const random = seedrandom(String(seed));
  const outcomes: number[] = [];
  for (let i = 0; i < simulations; i++) {
    let growth = 1;
    for (let d = 0; d < horizon; d++) {
      const u = 1 - random();
      const v = random();
      growth *= 1 + mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    outcomes.push(growth - 1);
  }
  return historicalVar(outcomes, confidence, 1);
}
