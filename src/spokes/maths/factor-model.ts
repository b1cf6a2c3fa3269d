import jstat from 'jstat';

const { jStat } = jstat;

/**
 * Daily returns of a long-short proxy factor: each `rebalanceEvery` days the assets are ranked by
 * `signal` (computed from data before that day only), and the factor earns the equal-weighted
 * top third minus the equal-weighted bottom third until the next ranking.
 */
export function longShortFactor(
  returns: number[][],
  signal: (asset: number, day: number) => number,
  start: number,
  rebalanceEvery = 21,
): number[] {
  const assets = returns.length;
  const days = returns[0]?.length ?? 0;
  const third = Math.max(1, Math.floor(assets / 3));
  const out: number[] = [];
  let long: number[] = [];
  let short: number[] = [];
  for (let day = start; day < days; day++) {
    if ((day - start) % rebalanceEvery === 0) {
      const ranked = [...Array(assets).keys()].sort((a, b) => signal(b, day) - signal(a, day));
      long = ranked.slice(0, third);
      short = ranked.slice(-third);
    }
    const average = (group: number[]) => group.reduce((s, a) => s + returns[a]![day]!, 0) / group.length;
    out.push(average(long) - average(short));
  }
  return out;
}

/** 12-1 momentum: the return from `day − 252` to `day − 21` (the last month skipped, as usual). */
export function momentumSignal(returns: number[][]) {
  return (asset: number, day: number) => {
    let growth = 1;
    for (let t = day - 252; t < day - 21; t++) growth *= 1 + returns[asset]![t]!;
    return growth - 1;
  };
}

/** Low volatility: minus the standard deviation of the 60 days before `day` (calmer ranks higher). */
export function lowVolatilitySignal(returns: number[][]) {
  return (asset: number, day: number) => -jStat.stdev(returns[asset]!.slice(day - 60, day), true);
}

/**
 * Ordinary least squares of y on the factor columns with an intercept: the intercept (alpha per
 * period), each factor's beta with its t-statistic and p-value, and R².
 */
export function factorRegression(y: number[], factors: number[][]) {
  const rows = y.map((_, t) => [1, ...factors.map((f) => f[t]!)]);
  const model = jStat.models.ols(y, rows);
  return {
    alpha: model.coef[0]!,
    alphaT: model.t.t[0]!,
    betas: model.coef.slice(1),
    tStats: model.t.t.slice(1),
    pValues: model.t.p.slice(1),
    r2: model.R2,
    adjustedR2: model.adjust_R2,
  };
}
