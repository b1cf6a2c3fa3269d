import type { Bar, MarketDataProvider, PriceSeries } from './price-series.js';
import { monthlyFromDaily, UnknownSymbolError } from './price-series.js';

export interface AlphaVantageOptions {
  apiKey: string;
  /** @default 'https://www.alphavantage.co' */
  baseUrl?: string;
  /** One request's deadline. @default 10 s */
  timeoutMs?: number;
  /** How long a fetched series is reused. @default 5 min */
  cacheMs?: number;
  /** Serves what Alpha Vantage does not: the S&P 500 index, crypto, and the symbol list. */
  fallback: MarketDataProvider;
}

const OFFLINE_ONLY = new Set(['SPX', '^GSPC', 'GSPC', 'SP500', 'BTC', 'ETH', 'SOL', 'XRP']);

/**
 * Live daily prices from Alpha Vantage (TIME_SERIES_DAILY), switched on by an API key. Network
 * failures, timeouts, rate limits and unknown symbols become clear errors; nothing silently falls
 * back to other data for a symbol the caller asked live data for.
 */
export function createAlphaVantageProvider(options: AlphaVantageOptions): MarketDataProvider {
  const baseUrl = options.baseUrl ?? 'https://www.alphavantage.co';
  const cache = new Map<string, { at: number; series: PriceSeries }>();

  async function fetchDaily(symbol: string): Promise<PriceSeries> {
    const url = `${baseUrl}/query?function=TIME_SERIES_DAILY&outputsize=full&symbol=${encodeURIComponent(symbol)}&apikey=${encodeURIComponent(options.apiKey)}`;
    let body: Record<string, unknown>;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? 'timed out'
          : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      throw new Error(
        `Alpha Vantage is unreachable (${reason}): live data is unavailable; unset ALPHA_VANTAGE_API_KEY to use the offline data`,
      );
    }
    if (typeof body['Error Message'] === 'string') throw new UnknownSymbolError(symbol, []);
    const limit = body.Note ?? body.Information;
    if (typeof limit === 'string') throw new Error(`Alpha Vantage refused the request: ${limit}`);
    const raw = body['Time Series (Daily)'] as Record<string, Record<string, string>> | undefined;
    if (!raw) throw new Error('Alpha Vantage answered without a daily time series');
    const bars: Bar[] = Object.entries(raw)
      .map(([date, v]) => ({
        date,
        open: Number(v['1. open']),
        high: Number(v['2. high']),
        low: Number(v['3. low']),
        close: Number(v['4. close']),
        volume: Number(v['5. volume']),
      }))
      .sort((a, b) => (a.date < b.date ? -1 : 1));
    const name = options.fallback.symbols().find((s) => s.symbol === symbol)?.name ?? symbol;
    return {
      symbol,
      name,
      assetClass: 'equity',
      bars,
      source: {
        kind: 'real',
        provider: 'Alpha Vantage TIME_SERIES_DAILY (live, unadjusted)',
        frequency: 'daily',
        as_of: bars[bars.length - 1]?.date ?? '',
      },
    };
  }

  const provider: MarketDataProvider = {
    async daily(symbol) {
      const key = symbol.trim().toUpperCase();
      if (OFFLINE_ONLY.has(key)) return options.fallback.daily(key);
      const cached = cache.get(key);
      if (cached && Date.now() - cached.at < (options.cacheMs ?? 300_000)) return cached.series;
      const series = await fetchDaily(key);
      cache.set(key, { at: Date.now(), series });
      return series;
    },
    async monthly(symbol) {
      const daily = await provider.daily(symbol);
      return monthlyFromDaily(daily);
    },
    symbols: () => options.fallback.symbols(),
    describe() {
      return {
        provider: 'alpha_vantage',
        sources: [
          {
            symbols: 'any US equity symbol',
            kind: 'real',
            frequency: 'daily',
            dataset: 'Alpha Vantage TIME_SERIES_DAILY (live, API key)',
          },
          ...options.fallback.describe().sources.filter((s) => JSON.stringify(s.symbols).match(/SPX|BTC/)),
        ],
      };
    },
  };
  return provider;
}
