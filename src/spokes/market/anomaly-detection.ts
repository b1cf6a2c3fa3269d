import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { flagged, openingGaps, rangeBreakouts, rollingVolatility } from '../maths/anomalies.js';
import { round, simpleReturns } from '../maths/statistics.js';
import { windowBars } from '../series-input.js';

const THRESHOLDS = { low: 3, medium: 2.5, high: 2 } as const;
const rounded = <T extends { value: number; z: number }>(points: T[]) =>
  points.map((p) => ({ ...p, value: round(p.value, 6), z: round(p.z, 3) }));

/** anomaly_detection: unusual returns, volumes, volatility, gaps and range breakouts. */
export const anomalyDetection = (provider: MarketDataProvider) =>
  defineTool({
    name: 'anomaly_detection',
    description:
      'Finds unusual days in a symbol’s recent history: daily-return, volume, opening-gap and 20-day-volatility z-scores beyond a threshold (sensitivity low/medium/high = |z| ≥ 3 / 2.5 / 2), and closes breaking the previous 20-day range. Top 10 of each, severity HIGH (|z| ≥ threshold + 1) or MEDIUM.',
    category: 'market',
    inputSchema: {
      symbol: z.string().min(1).max(16).describe('Ticker (see symbol_search)'),
      period: z.number().int().min(30).max(2520).default(90).describe('Trading days to examine'),
      sensitivity: z.enum(['low', 'medium', 'high']).default('medium'),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol, period, sensitivity, end_date }) => {
      // 20 bars more than asked: the rolling windows and breakouts need a history before the period.
      const { series, bars } = await windowBars(provider, symbol, period + 20, end_date);
      const threshold = THRESHOLDS[sensitivity];
      const dates = bars.slice(1).map((b) => b.date);
      const returns = simpleReturns(bars.map((b) => b.close));
      const hasVolume = bars.some((b) => b.volume > 0);
      const volatility = rollingVolatility(returns, 20);
      const inPeriod = (date: string) => date >= bars[Math.max(0, bars.length - period)]!.date;
      const keep = <T extends { date: string }>(points: T[]) => points.filter((p) => inPeriod(p.date));
      const result = {
        symbol: series.symbol,
        as_of: bars[bars.length - 1]!.date,
        period,
        sensitivity,
        z_threshold: threshold,
        return_anomalies: keep(rounded(flagged(dates, returns, threshold))),
        volume_anomalies: hasVolume
          ? keep(
              rounded(
                flagged(
                  bars.map((b) => b.date),
                  bars.map((b) => b.volume),
                  threshold,
                ),
              ),
            )
          : 'no volume in this dataset',
        gap_anomalies: keep(rounded(flagged(dates, openingGaps(bars), threshold))),
        volatility_anomalies: keep(rounded(flagged(dates.slice(19), volatility, threshold))),
        range_breakouts: keep(rangeBreakouts(bars, 20)).slice(-10),
        source: { ...series.source, as_of: bars[bars.length - 1]!.date },
      };
      return jsonResult(result);
    },
  });
