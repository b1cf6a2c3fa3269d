/** One daily (or monthly) bar. Dates are ISO `YYYY-MM-DD`. */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Where a series came from; every tool result carries it. */
export interface DataSource {
  /** `real` historical data, or `synthetic` (seeded model output, never presented as real). */
  kind: 'real' | 'synthetic';
  /** Dataset or provider, with its licence. */
  provider: string;
  frequency: 'daily' | 'monthly';
  /** Last date in the series: defaults are anchored here, not to the wall clock. */
  as_of: string;
}

export interface PriceSeries {
  symbol: string;
  name: string;
  assetClass: 'equity' | 'index' | 'crypto';
  source: DataSource;
  bars: Bar[];
}

export interface SymbolInfo {
  symbol: string;
  name: string;
  assetClass: 'equity' | 'index' | 'crypto';
  sector?: string;
  daily: 'real' | 'synthetic';
  monthly?: 'real';
}

/** Every provider (offline or live) answers these. */
export interface MarketDataProvider {
  /** Daily bars of a symbol; throws UnknownSymbolError. */
  daily(symbol: string): Promise<PriceSeries>;
  /** Monthly closes where a real monthly series exists, else the daily series resampled. */
  monthly(symbol: string): Promise<PriceSeries>;
  symbols(): SymbolInfo[];
  describe(): { provider: string; sources: Record<string, unknown>[] };
}

/** The last daily bar of each month: a monthly series resampled from a daily one. */
export function monthlyFromDaily(daily: PriceSeries): PriceSeries {
  const byMonth = new Map<string, Bar>();
  for (const bar of daily.bars) byMonth.set(bar.date.slice(0, 7), bar);
  return { ...daily, bars: [...byMonth.values()], source: { ...daily.source, frequency: 'monthly' } };
}

/** A synthetic bar whose high and low sit `spread` (a fraction) outside its open and close. */
export function barAround(date: string, open: number, close: number, spread: number, volume: number): Bar {
  return {
    date,
    open,
    high: Math.max(open, close) * (1 + spread),
    low: Math.min(open, close) * (1 - spread),
    close,
    volume,
  };
}

/** A symbol no provider knows: the message tells the model how to find valid ones. */
export class UnknownSymbolError extends Error {
  override name = 'UnknownSymbolError';
  constructor(symbol: string, suggestions: string[]) {
    super(
      `unknown symbol "${symbol}". Use the symbol_search tool (or data_status for the full list) to find valid symbols` +
        (suggestions.length ? `; close matches: ${suggestions.join(', ')}` : ''),
    );
  }
}
