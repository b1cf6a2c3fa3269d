import { ToolInputError } from '../series-input.js';
import { createLiveClient, type LiveService, unexpectedAnswer } from './live-request.js';

const FRED: LiveService = { name: 'FRED', keyVariable: 'FRED_API_KEY' };

export interface IndicatorSeries {
  series_id: string;
  title: string;
  units: string;
  frequency: string;
  /** Newest first. */
  observations: { date: string; value: number | null }[];
  source: { kind: 'real'; provider: string; as_of: string };
}

/** FRED's API (https://fred.stlouisfed.org/docs/api/fred/): a series' description and latest observations. */
export function createFred(options: { apiKey: string; baseUrl?: string; timeoutMs?: number }) {
  const baseUrl = options.baseUrl ?? 'https://api.stlouisfed.org';
  const request = createLiveClient(FRED);
  // FRED takes its key in the query string only; these URLs are never logged by the spoke.
  const get = (path: string, params: Record<string, string>) =>
    request(
      `${baseUrl}/fred/${path}?${new URLSearchParams({ ...params, api_key: options.apiKey, file_type: 'json' })}`,
      // An unknown series is a 400 whose body says so.
      { timeoutMs: options.timeoutMs, acceptStatuses: [400] },
    ) as Promise<Record<string, unknown>>;
  return {
    service: FRED,
    async observations(seriesId: string, limit: number): Promise<IndicatorSeries> {
      const [info, data] = await Promise.all([
        get('series', { series_id: seriesId }),
        get('series/observations', { series_id: seriesId, sort_order: 'desc', limit: String(limit) }),
      ]);
      for (const body of [info, data])
        if (typeof body?.error_message === 'string')
          throw new ToolInputError(`FRED: ${body.error_message} (series_id "${seriesId}")`);
      const series = (info.seriess as Record<string, string>[] | undefined)?.[0];
      const observations = data.observations as { date: string; value: string }[] | undefined;
      if (!series || !Array.isArray(observations)) throw unexpectedAnswer(FRED, `series ${seriesId}`);
      // FRED writes a missing observation as ".".
      const points = observations.map((o) => ({
        date: o.date,
        value: o.value === '.' ? null : Number(o.value),
      }));
      const asOf = points[0]?.date ?? '';
      return {
        series_id: seriesId,
        title: series.title ?? seriesId,
        units: series.units ?? '',
        frequency: series.frequency ?? '',
        observations: points,
        source: { kind: 'real', provider: 'FRED, Federal Reserve Bank of St. Louis (live)', as_of: asOf },
      };
    },
  };
}

export type Fred = ReturnType<typeof createFred>;
