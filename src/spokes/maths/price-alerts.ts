import type { Bar } from '../data/price-series.js';
import { rollingVolatility } from './anomalies.js';
import { localExtrema } from './chart-patterns.js';

/** One stateless check on the latest bar: whether it fired, the value it saw and what it compared with. */
export interface PriceAlert {
  type: string;
  triggered: boolean;
  value: number | null;
  threshold: number | null;
  message: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The close crossing a price target above or below. */
export function priceTargetAlerts(close: number, above?: number, below?: number): PriceAlert[] {
  const alerts: PriceAlert[] = [];
  if (above !== undefined)
    alerts.push({
      type: 'price_above',
      triggered: close >= above,
      value: close,
      threshold: above,
      message: close >= above ? `close ${close} is at or above ${above}` : `close ${close} is below ${above}`,
    });
  if (below !== undefined)
    alerts.push({
      type: 'price_below',
      triggered: close <= below,
      value: close,
      threshold: below,
      message: close <= below ? `close ${close} is at or below ${below}` : `close ${close} is above ${below}`,
    });
  return alerts;
}

/** One-day and five-day moves of the close beyond ±threshold (a fraction: 0.05 = 5 %). */
export function percentChangeAlerts(closes: number[], threshold: number): PriceAlert[] {
  const last = closes[closes.length - 1]!;
  return [
    ['daily_change', 1],
    ['weekly_change', 5],
  ].flatMap(([type, back]) => {
    const before = closes[closes.length - 1 - (back as number)];
    if (before === undefined) return [];
    const change = last / before - 1;
    return [
      {
        type: type as string,
        triggered: Math.abs(change) >= threshold,
        value: change,
        threshold,
        message: `${back === 1 ? 'one-day' : 'five-day'} change ${pct(change)} against ±${pct(threshold)}`,
      },
    ];
  });
}

/** The latest volume against `multiplier` × the average of the 20 bars before it. */
export function volumeSpikeAlert(bars: Bar[], multiplier: number): PriceAlert {
  const last = bars[bars.length - 1]!;
  const before = bars.slice(-21, -1);
  const average = before.reduce((s, b) => s + b.volume, 0) / Math.max(1, before.length);
  if (average === 0)
    return {
      type: 'volume_spike',
      triggered: false,
      value: null,
      threshold: multiplier,
      message: 'no volume in this dataset',
    };
  const ratio = last.volume / average;
  return {
    type: 'volume_spike',
    triggered: ratio >= multiplier,
    value: ratio,
    threshold: multiplier,
    message: `volume ${ratio.toFixed(2)}× its 20-day average (alert at ${multiplier}×)`,
  };
}

/** The close above the highest high, or below the lowest low, of the 20 bars before it. */
export function breakoutAlert(bars: Bar[]): PriceAlert {
  const last = bars[bars.length - 1]!;
  const before = bars.slice(-21, -1);
  const high = Math.max(...before.map((b) => b.high));
  const low = Math.min(...before.map((b) => b.low));
  const up = last.close > high;
  const down = last.close < low;
  return {
    type: 'breakout',
    triggered: up || down,
    value: last.close,
    threshold: up ? high : down ? low : null,
    message: up
      ? `close ${last.close} broke above the 20-day high ${high}`
      : down
        ? `close ${last.close} broke below the 20-day low ${low}`
        : `close ${last.close} inside the 20-day range ${low}–${high}`,
  };
}

/**
 * The close within `tolerance` of the nearest support (a local low of the last 60 closes, 5 bars
 * each side) below it or resistance (a local high) above it.
 */
export function supportResistanceAlert(closes: number[], tolerance = 0.02): PriceAlert {
  const window = closes.slice(-60, -1);
  const close = closes[closes.length - 1]!;
  const { peaks, troughs } = localExtrema(window, 5);
  const supports = troughs.map((i) => window[i]!).filter((v) => v <= close);
  const resistances = peaks.map((i) => window[i]!).filter((v) => v >= close);
  const support = supports.length ? Math.max(...supports) : undefined;
  const resistance = resistances.length ? Math.min(...resistances) : undefined;
  const near = (level?: number) => level !== undefined && Math.abs(close / level - 1) <= tolerance;
  const which = near(support)
    ? `support ${support}`
    : near(resistance)
      ? `resistance ${resistance}`
      : undefined;
  return {
    type: 'support_resistance',
    triggered: which !== undefined,
    value: close,
    threshold: (near(support) ? support : near(resistance) ? resistance : null) ?? null,
    message: which
      ? `close ${close} within ${pct(tolerance)} of ${which}`
      : `nearest support ${support ?? 'none'}, resistance ${resistance ?? 'none'} (alert within ${pct(tolerance)})`,
  };
}

/** The latest 20-day volatility against `ratio` × its average over the year before. */
export function volatilityAlert(returns: number[], ratio: number): PriceAlert {
  const rolling = rollingVolatility(returns.slice(-272), 20);
  const current = rolling[rolling.length - 1];
  if (current === undefined || rolling.length < 2)
    return {
      type: 'volatility',
      triggered: false,
      value: null,
      threshold: ratio,
      message: 'too little history',
    };
  const average = rolling.slice(0, -1).reduce((s, v) => s + v, 0) / (rolling.length - 1);
  const seen = current / average;
  return {
    type: 'volatility',
    triggered: seen >= ratio,
    value: seen,
    threshold: ratio,
    message: `20-day volatility ${pct(current)} is ${seen.toFixed(2)}× its one-year average ${pct(average)} (alert at ${ratio}×)`,
  };
}
