import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import { OFFLINE_INDICATORS, offlineIndicator } from '../data/offline-economy.js';
import { keyMissing } from '../live/live-request.js';
import type { LiveSources } from '../live/live-sources.js';
import { round } from '../maths/statistics.js';

/** Common names for FRED series ids (the original took both `indicator` and `series_id`; this takes one). */
const ALIASES: Record<string, string> = {
  CPI: 'CPIAUCSL',
  INFLATION: 'CPIAUCSL',
  UNEMPLOYMENT: 'UNRATE',
  NFP: 'PAYEMS',
  NONFARM_PAYROLLS: 'PAYEMS',
  PAYROLLS: 'PAYEMS',
  FED_FUNDS: 'FEDFUNDS',
  TREASURY_10Y: 'DGS10',
};

/** economic_indicator: a FRED series' latest observations (live with a key; employment series offline). */
export const economicIndicator = (live: LiveSources) =>
  defineTool({
    name: 'economic_indicator',
    description: `Latest observations of a US economic series by its FRED id (GDP, CPIAUCSL, UNRATE, FEDFUNDS, DGS10, PAYEMS…; aliases CPI, UNEMPLOYMENT, NFP, FED_FUNDS, TREASURY_10Y) with the change over the period. Live from FRED with FRED_API_KEY; without it, offline BLS payroll series ${OFFLINE_INDICATORS.join(', ')} (monthly 2006-2015).`,
    category: 'market',
    tags: ['economy', 'macro', 'fred'],
    inputSchema: {
      indicator: z
        .string()
        .trim()
        .min(1)
        .max(40)
        .regex(/^[A-Za-z0-9_]+$/, 'a FRED series id such as UNRATE (letters, digits, _)')
        .describe('FRED series id or alias'),
      limit: z.number().int().min(1).max(1000).default(12).describe('Observations, newest first'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    handler: async ({ indicator, limit }) => {
      const seriesId = ALIASES[indicator.toUpperCase()] ?? indicator.toUpperCase();
      const series = live.fred
        ? await live.fred.observations(seriesId, limit)
        : offlineIndicator(seriesId, limit);
      if (!series)
        throw keyMissing(
          `economic_indicator ${seriesId} (offline: ${OFFLINE_INDICATORS.join(', ')})`,
          'FRED_API_KEY',
        );
      const values = series.observations.map((o) => o.value).filter((v): v is number => v !== null);
      const latest = values[0];
      const oldest = values[values.length - 1];
      return jsonResult({
        ...series,
        latest: series.observations[0] ?? null,
        change_over_period: latest !== undefined && oldest !== undefined ? round(latest - oldest, 6) : null,
        change_over_period_percent:
          latest !== undefined && oldest ? round((latest / oldest - 1) * 100, 4) : null,
      });
    },
  });
