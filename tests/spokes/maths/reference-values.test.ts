import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import seedrandom from 'seedrandom';
import { runBacktest } from '../../../src/spokes/maths/backtest.js';
import { blackScholes, impliedVolatility } from '../../../src/spokes/maths/black-scholes.js';
import { cumulativeValues, maxDrawdown, sharpeRatio } from '../../../src/spokes/maths/performance-metrics.js';
import {
  maximumSharpe,
  minimumVariance,
  riskContributions,
  riskParity,
  targetReturnWeights,
} from '../../../src/spokes/maths/portfolio-optimizer.js';
import { covariance, normalInv, stdev } from '../../../src/spokes/maths/statistics.js';
import { EMA, MACD, RSI } from '../../../src/spokes/maths/technical-indicators.js';
import {
  cornishFisherVar,
  historicalVar,
  monteCarloVar,
  parametricVar,
} from '../../../src/spokes/maths/value-at-risk.js';
import { discreteAllocation } from '../../../src/spokes/portfolio/allocate.js';
import { planRebalance } from '../../../src/spokes/portfolio/rebalance.js';
import { jarqueBera } from '../../../src/spokes/risk/tail-risk.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );

function normalSample(n: number, mu: number, sigma: number, seed = 'test'): number[] {
  const random = seedrandom(seed);
  return Array.from(
    { length: n },
    () => mu + sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
  );
}

describe('Black-Scholes against published values (Hull: S=100, K=100, T=1, r=5%, σ=20%)', () => {
  const v = blackScholes({ spot: 100, strike: 100, years: 1, rate: 0.05, volatility: 0.2 });
  it('prices the call at 10.4506 and the put at 5.5735', () => {
    close(v.call.price, 10.4506, 5e-5, 'call');
    close(v.put.price, 5.5735, 5e-5, 'put');
  });
  it('has call delta 0.6368, put delta −0.3632, gamma 0.018762, vega 37.524', () => {
    close(v.call.delta, 0.6368, 5e-5, 'call delta');
    close(v.put.delta, -0.3632, 5e-5, 'put delta');
    close(v.call.gamma, 0.018762, 5e-6, 'gamma');
    close(v.call.vega, 37.524, 5e-3, 'vega');
  });
  it('satisfies put-call parity and recovers the volatility from the price', () => {
    close(v.call.price - v.put.price, 100 - 100 * Math.exp(-0.05), 1e-9, 'parity');
    close(
      impliedVolatility(10.4506, 'call', { spot: 100, strike: 100, years: 1, rate: 0.05 })!,
      0.2,
      1e-5,
      'implied vol',
    );
    assert.equal(impliedVolatility(200, 'call', { spot: 100, strike: 100, years: 1, rate: 0.05 }), null);
  });
});

describe('value at risk', () => {
  const returns = normalSample(200_000, 0.0005, 0.01);
  it('parametric VaR of a normal series is −(μ + z·σ) with z = Φ⁻¹(0.05) = −1.6449', () => {
    const mu = returns.reduce((a, b) => a + b) / returns.length;
    const sigma = stdev(returns);
    close(normalInv(0.05), -1.644854, 1e-6, 'z');
    close(parametricVar(returns, 0.95).var, -(mu - 1.644854 * sigma), 1e-7, 'parametric VaR');
    close(parametricVar(returns, 0.95).cvar, -(mu - (sigma * 0.103136) / 0.05), 1e-6, 'parametric CVaR');
  });
  it('historical, Cornish-Fisher and Monte Carlo agree with the normal answer on a normal sample', () => {
    const reference = parametricVar(returns, 0.99).var;
    close(historicalVar(returns, 0.99).var, reference, 4e-4, 'historical');
    close(cornishFisherVar(returns, 0.99).var, reference, 4e-4, 'Cornish-Fisher');
    close(monteCarloVar(returns, 0.99, 1, 50_000, 7).var, reference, 6e-4, 'Monte Carlo');
    assert.ok(historicalVar(returns, 0.99).cvar > historicalVar(returns, 0.99).var, 'CVaR beyond VaR');
  });
  it('Cornish-Fisher raises VaR for a left-skewed, fat-tailed series', () => {
    const skewed = normalSample(5000, 0, 0.01).map((r, i) => (i % 50 === 0 ? r - 0.06 : r));
    assert.ok(cornishFisherVar(skewed, 0.99).var > parametricVar(skewed, 0.99).var);
  });
});

describe('drawdown, Sharpe and regression', () => {
  it('finds the maximum drawdown of a hand-checkable series', () => {
    const dd = maxDrawdown([100, 120, 90, 110, 80, 130, 125]);
    close(dd.max_drawdown, 1 - 80 / 120, 1e-12, 'mdd');
    assert.equal(dd.peak_index, 1);
    assert.equal(dd.trough_index, 4);
    assert.equal(dd.recovery_index, 5);
  });
  it('computes Sharpe as annualised excess mean over annualised volatility', () => {
    const r = [0.01, -0.005, 0.002, 0.007, -0.001];
    const mean = r.reduce((a, b) => a + b) / r.length;
    close(sharpeRatio(r, 0.02), (mean * 252 - 0.02) / (stdev(r) * Math.sqrt(252)), 1e-12, 'sharpe');
    close(cumulativeValues([0.1, -0.1]).pop()!, 0.99, 1e-12, 'compounding');
  });
  it('Jarque-Bera does not reject a normal sample and rejects a fat-tailed one', () => {
    assert.ok(jarqueBera(normalSample(5000, 0, 1, 'jb')).p_value > 0.01);
    assert.ok(jarqueBera(normalSample(5000, 0, 1, 'jb').map((x) => x ** 3)).p_value < 1e-6);
  });
});

describe('portfolio optimisation', () => {
  it('matches the closed-form two-asset minimum-variance weights', () => {
    const s1 = 0.2;
    const s2 = 0.3;
    const rho = 0.25;
    const c12 = rho * s1 * s2;
    const cov = [
      [s1 * s1, c12],
      [c12, s2 * s2],
    ];
    const w = minimumVariance(cov, { min: 0, max: 1 });
    close(w[0]!, (s2 * s2 - c12) / (s1 * s1 + s2 * s2 - 2 * c12), 1e-6, 'w1');
    close(w[0]! + w[1]!, 1, 1e-9, 'budget');
  });
  it('respects weight bounds, hits a target return, and equalises risk in risk parity', () => {
    const cov = [
      [0.04, 0.006, 0.002],
      [0.006, 0.09, 0.01],
      [0.002, 0.01, 0.16],
    ];
    const mu = [0.05, 0.08, 0.12];
    const bounded = minimumVariance(cov, { min: 0.2, max: 0.5 });
    for (const x of bounded) assert.ok(x >= 0.2 - 1e-9 && x <= 0.5 + 1e-9, `bounded weight ${x}`);
    const target = targetReturnWeights(cov, mu, 0.09, { min: 0, max: 1 })!;
    close(
      target.reduce((s, x, i) => s + x * mu[i]!, 0),
      0.09,
      1e-4,
      'target return',
    );
    const rp = riskContributions(cov, riskParity(cov));
    for (const c of rp) close(c, 1 / 3, 1e-6, 'risk contribution');
    const ms = maximumSharpe(cov, mu, 0.02, { min: 0, max: 1 });
    close(
      ms.reduce((a, b) => a + b),
      1,
      1e-9,
      'max Sharpe budget',
    );
  });
});

describe('technical indicators against known sequences', () => {
  // Wilder's RSI example (StockCharts): 70.53, 66.32, 66.55, 69.41, 66.36, 57.97 — their table rounds intermediate values.
  const closes = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28,
    46.0, 46.03, 46.41, 46.22, 45.64,
  ];
  it('computes RSI(14) within 0.1 of the published values', () => {
    const rsi = RSI.calculate({ period: 14, values: closes });
    for (const [i, expected] of [70.53, 66.32, 66.55, 69.41, 66.36, 57.97].entries())
      close(rsi[i]!, expected, 0.1, `RSI ${i}`);
  });
  it('computes MACD as EMA12 − EMA26 with an EMA9 signal', () => {
    const series = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 5) + i * 0.3);
    const macd = MACD.calculate({
      values: series,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const ema = (period: number) => {
      const k = 2 / (period + 1);
      let value = series.slice(0, period).reduce((a, b) => a + b) / period;
      for (let i = period; i < series.length; i++) value = series[i]! * k + value * (1 - k);
      return value;
    };
    close(macd[macd.length - 1]!.MACD!, ema(12) - ema(26), 1e-6, 'MACD line');
    close(EMA.calculate({ period: 12, values: series }).pop()!, ema(12), 1e-9, 'EMA12');
  });
});

describe('rebalancing, allocation and backtests', () => {
  it('plans whole-share trades when drift passes the threshold, with costs', () => {
    const plan = planRebalance({
      positions: [
        { symbol: 'A', shares: 80, price: 10 },
        { symbol: 'B', shares: 20, price: 10 },
      ],
      targets: { A: 0.5, B: 0.5 },
      cash: 0,
      threshold: 0.05,
      costBps: 10,
      fixedCost: 1,
    });
    assert.equal(plan.rebalance_needed, true);
    assert.deepEqual(
      plan.trades.map((t) => [t.symbol, t.action, t.shares]),
      [
        ['A', 'sell', 30],
        ['B', 'buy', 30],
      ],
    );
    close(plan.total_cost, 2 * (300 * 0.001 + 1), 1e-9, 'costs');
    const calm = planRebalance({
      positions: [
        { symbol: 'A', shares: 52, price: 10 },
        { symbol: 'B', shares: 48, price: 10 },
      ],
      targets: { A: 0.5, B: 0.5 },
      cash: 0,
      threshold: 0.05,
      costBps: 10,
      fixedCost: 0,
    });
    assert.equal(calm.rebalance_needed, false);
  });
  it('allocates whole shares and keeps leftover cash below the cheapest price', () => {
    const { shares, leftover_cash } = discreteAllocation({ A: 0.6, B: 0.4 }, { A: 33, B: 17 }, 1000);
    assert.ok(shares.A! * 33 + shares.B! * 17 + leftover_cash === 1000);
    assert.ok(leftover_cash < 17);
  });
  it('buy-and-hold of one asset follows its price; costs reduce the result', () => {
    const dates = ['2020-01-02', '2020-01-03', '2020-02-03', '2020-02-04'];
    const prices = [[10, 11, 12, 15]];
    const held = runBacktest(dates, prices, { kind: 'buy_and_hold', weights: [1] }, 1000, 0);
    close(held.values.pop()!, 1500, 1e-9, 'buy and hold');
    const costly = runBacktest(dates, prices, { kind: 'buy_and_hold', weights: [1] }, 1000, 100);
    close(costly.values.pop()!, 1500 * 0.99, 1e-9, 'with 1% entry cost');
    const two = runBacktest(
      dates,
      [
        [10, 10, 20, 20],
        [10, 10, 10, 10],
      ],
      { kind: 'periodic_rebalance', weights: [0.5, 0.5], every: 'monthly' },
      1000,
      0,
    );
    assert.equal(two.rebalances, 2);
    close(covariance([1, 2, 3], [1, 2, 3]), 1, 1e-12, 'covariance sanity');
  });
});
