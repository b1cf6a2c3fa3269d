import { z } from 'zod';
import type { Bar, DataSource, MarketDataProvider } from './data/price-series.js';
import { simpleReturns } from './maths/statistics.js';

/** A tool input the caller got wrong; the message says what to change. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Input fields shared by tools that analyse one return series: a symbol, or the caller's own data. */
export const seriesInputShape = {
  symbol: z
    .string()
    .min(1)
    .max(16)
    .optional()
    .describe('Ticker (e.g. SPX, AAPL, MSFT, BTC); see symbol_search'),
  prices: z
    .array(z.number().positive())
    .min(3)
    .max(100_000)
    .optional()
    .describe('Your own price series, oldest first (instead of symbol)'),
  returns: z
    .array(z.number().gt(-1))
    .min(2)
    .max(100_000)
    .optional()
    .describe('Your own periodic simple returns, oldest first'),
  period: z
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(252)
    .describe("Number of trading days, ending at end_date or the data's last date"),
  end_date: isoDate.optional().describe("Last date of the window (defaults to the dataset's last date)"),
};

export type SeriesInput = {
  symbol?: string;
  prices?: number[];
  returns?: number[];
  period: number;
  end_date?: string;
};

export interface ResolvedSeries {
  label: string;
  returns: number[];
  /** Dates of each return (absent for caller data). */
  dates?: string[];
  prices?: number[];
  source: DataSource | { kind: 'user'; provider: string };
}

/** The bars of a symbol in the window [end − period, end]. */
export async function windowBars(
  provider: MarketDataProvider,
  symbol: string,
  period: number,
  endDate?: string,
) {
  const series = await provider.daily(symbol);
  let end = series.bars.length;
  if (endDate) {
    end = series.bars.findLastIndex((b) => b.date <= endDate) + 1;
    if (end === 0)
      throw new ToolInputError(
        `${series.symbol} has no data on or before ${endDate}; its data starts ${series.bars[0]?.date}`,
      );
  }
  const bars: Bar[] = series.bars.slice(Math.max(0, end - period - 1), end);
  if (bars.length < 3) throw new ToolInputError(`${series.symbol} has too little data in that window`);
  return { series, bars };
}

/** Resolves symbol | prices | returns into one return series. */
export async function resolveSeries(
  args: SeriesInput,
  provider: MarketDataProvider,
): Promise<ResolvedSeries> {
  const given = [args.symbol, args.prices, args.returns].filter((x) => x !== undefined).length;
  if (given !== 1) throw new ToolInputError('give exactly one of symbol, prices or returns');
  if (args.returns)
    return {
      label: 'returns',
      returns: args.returns,
      source: { kind: 'user', provider: 'caller-supplied returns' },
    };
  if (args.prices)
    return {
      label: 'prices',
      returns: simpleReturns(args.prices),
      prices: args.prices,
      source: { kind: 'user', provider: 'caller-supplied prices' },
    };
  const { series, bars } = await windowBars(provider, args.symbol!, args.period, args.end_date);
  const prices = bars.map((b) => b.close);
  return {
    label: series.symbol,
    returns: simpleReturns(prices),
    dates: bars.slice(1).map((b) => b.date),
    prices,
    source: { ...series.source, as_of: bars[bars.length - 1]!.date },
  };
}

/** Aligns several symbols' daily closes on their common dates (last `period` of them). */
export async function alignedReturns(
  provider: MarketDataProvider,
  symbols: string[],
  period: number,
  endDate?: string,
) {
  const all = await Promise.all(symbols.map((s) => provider.daily(s)));
  const dateSets = all.map((s) => new Map(s.bars.map((b) => [b.date, b.close])));
  let common = [...dateSets[0]!.keys()].filter((d) => dateSets.every((m) => m.has(d)));
  if (endDate) common = common.filter((d) => d <= endDate);
  common = common.slice(-(period + 1));
  if (common.length < 20) {
    throw new ToolInputError(
      `these symbols share only ${common.length} trading days (${all.map((s) => `${s.symbol}: ${s.bars[0]?.date}..${s.source.as_of}`).join('; ')}); pick symbols with overlapping data`,
    );
  }
  const returns = dateSets.map((m) => simpleReturns(common.map((d) => m.get(d)!)));
  const sources = all.map((s) => ({ symbol: s.symbol, kind: s.source.kind, provider: s.source.provider }));
  return {
    symbols: all.map((s) => s.symbol),
    dates: common.slice(1),
    returns,
    sources,
    as_of: common[common.length - 1]!,
    lastPrices: dateSets.map((m) => m.get(common[common.length - 1]!)!),
  };
}
