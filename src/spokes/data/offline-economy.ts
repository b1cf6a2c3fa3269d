import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IndicatorSeries } from '../live/fred.js';
import { readCsv } from './csv.js';

const require = createRequire(import.meta.url);

/**
 * FRED series ids the spokes answer without a key: US payroll employment by industry, monthly
 * 2006-2015, in thousands of persons, from the U.S. Bureau of Labor Statistics' Current Employment
 * Statistics as shipped in vega-datasets (us-employment.csv, BSD-3-Clause).
 */
const OFFLINE_SERIES: Record<string, { column: string; title: string }> = {
  PAYEMS: { column: 'nonfarm', title: 'All Employees, Total Nonfarm' },
  USPRIV: { column: 'private', title: 'All Employees, Total Private' },
  USGOOD: { column: 'goods_producing', title: 'All Employees, Goods-Producing' },
  MANEMP: { column: 'manufacturing', title: 'All Employees, Manufacturing' },
  USCONS: { column: 'construction', title: 'All Employees, Construction' },
  USINFO: { column: 'information', title: 'All Employees, Information' },
  USFIRE: { column: 'financial_activities', title: 'All Employees, Financial Activities' },
  USPBS: {
    column: 'professional_and_business_services',
    title: 'All Employees, Professional and Business Services',
  },
  USEHS: { column: 'education_and_health_services', title: 'All Employees, Education and Health Services' },
  USLAH: { column: 'leisure_and_hospitality', title: 'All Employees, Leisure and Hospitality' },
  USGOVT: { column: 'government', title: 'All Employees, Government' },
};

export const OFFLINE_INDICATORS = Object.keys(OFFLINE_SERIES);

let rows: Record<string, string>[] | undefined;

/** The offline series for a FRED id, newest first (undefined when it is not shipped). */
export function offlineIndicator(seriesId: string, limit: number): IndicatorSeries | undefined {
  const spec = OFFLINE_SERIES[seriesId];
  if (!spec) return undefined;
  // vega-datasets exports only its JS entry; its data files sit in data/ beside build/.
  rows ??= readCsv(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'us-employment.csv'));
  const observations = rows
    .map((r) => ({ date: r.month!, value: Number(r[spec.column]) }))
    .reverse()
    .slice(0, limit);
  return {
    series_id: seriesId,
    title: spec.title,
    units: 'Thousands of Persons',
    frequency: 'Monthly',
    observations,
    source: {
      kind: 'real',
      provider:
        'U.S. Bureau of Labor Statistics, Current Employment Statistics, via vega-datasets us-employment.csv (BSD-3-Clause; offline, ends 2015-12)',
      as_of: observations[0]?.date ?? '',
    },
  };
}
