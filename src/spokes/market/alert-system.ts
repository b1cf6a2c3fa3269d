import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import {
  breakoutAlert,
  type PriceAlert,
  percentChangeAlerts,
  priceTargetAlerts,
  supportResistanceAlert,
  volatilityAlert,
  volumeSpikeAlert,
} from '../maths/price-alerts.js';
import { round, simpleReturns } from '../maths/statistics.js';
import { ToolInputError, windowBars } from '../series-input.js';

const ALERT_TYPES = [
  'price_target',
  'percent_change',
  'volume_spike',
  'breakout',
  'support_resistance',
  'volatility',
] as const;

/** alert_system: stateless checks of the latest bar against price, move, volume and volatility thresholds. */
export const alertSystem = (provider: MarketDataProvider) =>
  defineTool({
    name: 'alert_system',
    description:
      "Checks a symbol's latest bar against alert rules and says which fired: price targets (above/below), one- and five-day % change, volume spike (× 20-day average), 20-day breakout, nearness (2 %) to support/resistance, and 20-day volatility against its one-year average. Stateless: evaluated on each call.",
    category: 'market',
    tags: ['alerts', 'monitoring'],
    inputSchema: {
      symbol: z.string().min(1).max(16).describe('Ticker (see symbol_search)'),
      alert_type: z
        .array(z.enum([...ALERT_TYPES, 'all']))
        .min(1)
        .default(['all'])
        .describe('Which checks to run'),
      thresholds: z
        .object({
          price_above: z.number().positive().optional(),
          price_below: z.number().positive().optional(),
          percent_change: z.number().positive().max(100).default(5).describe('In percent'),
          volume_multiplier: z.number().positive().max(100).default(2),
          volatility_threshold: z.number().positive().max(100).default(1.5),
        })
        .default({ percent_change: 5, volume_multiplier: 2, volatility_threshold: 1.5 }),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional()
        .describe("Evaluate as of this date (defaults to the data's last date)"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async ({ symbol, alert_type, thresholds, end_date }) => {
      const types = new Set<string>(alert_type.includes('all') ? ALERT_TYPES : alert_type);
      if (
        types.has('price_target') &&
        thresholds.price_above === undefined &&
        thresholds.price_below === undefined
      ) {
        if (!alert_type.includes('all'))
          throw new ToolInputError('price_target needs thresholds.price_above or thresholds.price_below');
        types.delete('price_target');
      }
      const { series, bars } = await windowBars(provider, symbol, 300, end_date);
      const closes = bars.map((b) => b.close);
      const last = bars[bars.length - 1]!;
      const alerts: PriceAlert[] = [];
      if (types.has('price_target'))
        alerts.push(...priceTargetAlerts(last.close, thresholds.price_above, thresholds.price_below));
      if (types.has('percent_change'))
        alerts.push(...percentChangeAlerts(closes, thresholds.percent_change / 100));
      if (types.has('volume_spike')) alerts.push(volumeSpikeAlert(bars, thresholds.volume_multiplier));
      if (types.has('breakout')) alerts.push(breakoutAlert(bars));
      if (types.has('support_resistance')) alerts.push(supportResistanceAlert(closes));
      if (types.has('volatility'))
        alerts.push(volatilityAlert(simpleReturns(closes), thresholds.volatility_threshold));
      const rounded = alerts.map((a) => ({
        ...a,
        value: a.value === null ? null : round(a.value, 6),
        threshold: a.threshold === null ? null : round(a.threshold, 6),
      }));
      return jsonResult({
        symbol: series.symbol,
        as_of: last.date,
        close: round(last.close, 4),
        triggered: rounded.filter((a) => a.triggered).map((a) => a.type),
        alerts: rounded,
        source: { ...series.source, as_of: last.date },
      });
    },
  });
