export type Strategy =
  | { kind: 'buy_and_hold'; weights: number[] }
  | { kind: 'periodic_rebalance'; weights: number[]; every: 'monthly' | 'quarterly' | 'yearly' }
  | { kind: 'momentum'; lookback: number; topN: number; every: 'monthly' | 'quarterly' };

export interface BacktestResult {
  values: number[];
  rebalances: number;
  costs: number;
  turnover: number;
}

function isRebalanceDay(prev: string, today: string, every: 'monthly' | 'quarterly' | 'yearly'): boolean {
  const m0 = Number(prev.slice(5, 7));
  const m1 = Number(today.slice(5, 7));
  if (prev.slice(0, 4) !== today.slice(0, 4)) return true;
  if (every === 'yearly') return false;
  if (every === 'monthly') return m0 !== m1;
  return Math.floor((m0 - 1) / 3) !== Math.floor((m1 - 1) / 3);
}

/**
 * Simulates a strategy on aligned daily closes (prices[asset][day]) with proportional costs on
 * traded value. Weights are applied at the close of a rebalance day (no look-ahead: momentum
 * uses returns up to that close).
 */
export function runBacktest(
  dates: string[],
  prices: number[][],
  strategy: Strategy,
  initialCapital: number,
  costBps: number,
): BacktestResult {
  const n = prices.length;
  let holdings = Array(n).fill(0) as number[];
  let cash = initialCapital;
  let costs = 0;
  let traded = 0;
  let rebalances = 0;
  const valueAt = (t: number) => cash + holdings.reduce((s, h, i) => s + h * prices[i]![t]!, 0);

  const targetWeights = (t: number): number[] | undefined => {
    if (strategy.kind !== 'momentum') return strategy.weights;
    if (t < strategy.lookback) return undefined;
    const scores = prices.map((p, i) => ({ i, r: p[t]! / p[t - strategy.lookback]! - 1 }));
    const chosen = new Set(
      scores
        .sort((a, b) => b.r - a.r)
        .slice(0, strategy.topN)
        .map((s) => s.i),
    );
    return prices.map((_, i) => (chosen.has(i) ? 1 / chosen.size : 0));
  };

  const trade = (t: number, weights: number[]) => {
    const value = valueAt(t);
    let tradedValue = 0;
    const next = weights.map((w, i) => {
      const target = (w * value) / prices[i]![t]!;
      tradedValue += Math.abs(target - holdings[i]!) * prices[i]![t]!;
      return target;
    });
    const cost = (tradedValue * costBps) / 10_000;
    // Costs come out of the portfolio: scale the new holdings down so cash stays non-negative.
    const scale = (value - cost) / value;
    holdings = next.map((h) => h * scale);
    cash = 0;
    costs += cost;
    traded += tradedValue;
    rebalances++;
  };

  const values: number[] = [];
  for (let t = 0; t < dates.length; t++) {
    const first = t === 0;
    const due =
      first ||
      (strategy.kind !== 'buy_and_hold' && isRebalanceDay(dates[t - 1]!, dates[t]!, strategy.every)) ||
      (strategy.kind === 'momentum' && rebalances === 0);
    if (due) {
      const weights = targetWeights(t);
      if (weights) trade(t, weights);
    }
    values.push(valueAt(t));
  }
  return { values, rebalances, costs, turnover: traded / initialCapital };
}

/** Calendar-year returns of a value series. */
export function yearlyReturns(dates: string[], values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  let startValue = values[0]!;
  for (let t = 1; t <= dates.length; t++) {
    if (t === dates.length || dates[t]!.slice(0, 4) !== dates[t - 1]!.slice(0, 4)) {
      out[dates[t - 1]!.slice(0, 4)] = values[t - 1]! / startValue - 1;
      startValue = values[t - 1]!;
    }
  }
  return out;
}
