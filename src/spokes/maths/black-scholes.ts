import { normalCdf, normalPdf } from './statistics.js';

export interface OptionInput {
  spot: number;
  strike: number;
  /** Years to expiry. */
  years: number;
  /** Continuously compounded risk-free rate. */
  rate: number;
  volatility: number;
  dividendYield?: number;
}

export interface OptionValuation {
  price: number;
  delta: number;
  gamma: number;
  /** Per 1.00 of volatility; divide by 100 for one vol point. */
  vega: number;
  /** Per year; divide by 365 for one calendar day. */
  theta: number;
  rho: number;
}

/** Black-Scholes-Merton price and Greeks of a European call and put. */
export function blackScholes(input: OptionInput): {
  call: OptionValuation;
  put: OptionValuation;
  d1: number;
  d2: number;
} {
  const { spot: S, strike: K, years: T, rate: r, volatility: v } = input;
  const q = input.dividendYield ?? 0;
  const sqrtT = Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r - q + (v * v) / 2) * T) / (v * sqrtT);
  const d2 = d1 - v * sqrtT;
  const dq = Math.exp(-q * T);
  const dr = Math.exp(-r * T);
  const gamma = (dq * normalPdf(d1)) / (S * v * sqrtT);
  const vega = S * dq * normalPdf(d1) * sqrtT;
  const common = -(S * dq * normalPdf(d1) * v) / (2 * sqrtT);
  return {
    d1,
    d2,
    call: {
      price: S * dq * normalCdf(d1) - K * dr * normalCdf(d2),
      delta: dq * normalCdf(d1),
      gamma,
      vega,
      theta: common - r * K * dr * normalCdf(d2) + q * S * dq * normalCdf(d1),
      rho: K * T * dr * normalCdf(d2),
    },
    put: {
      price: K * dr * normalCdf(-d2) - S * dq * normalCdf(-d1),
      delta: -dq * normalCdf(-d1),
      gamma,
      vega,
      theta: common + r * K * dr * normalCdf(-d2) - q * S * dq * normalCdf(-d1),
      rho: -K * T * dr * normalCdf(-d2),
    },
  };
}

/** Implied volatility by bisection (robust where Newton's method fails far from the money). */
export function impliedVolatility(
  target: number,
  type: 'call' | 'put',
  input: Omit<OptionInput, 'volatility'>,
): number | null {
  let lo = 1e-6;
  let hi = 5;
  const priceAt = (v: number) => blackScholes({ ...input, volatility: v })[type].price;
  if (target < priceAt(lo) - 1e-9 || target > priceAt(hi)) return null;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (priceAt(mid) < target) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-10) break;
  }
  return (lo + hi) / 2;
}
