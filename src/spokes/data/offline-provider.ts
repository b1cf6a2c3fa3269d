import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import seedrandom from 'seedrandom';
import { readCsv } from './csv.js';
import {
  type Bar,
  barAround,
  type MarketDataProvider,
  monthlyFromDaily,
  type PriceSeries,
  type SymbolInfo,
  UnknownSymbolError,
} from './price-series.js';
import { SYNTHETIC_CRYPTO, SYNTHETIC_EQUITIES } from './synthetic-universe.js';

const require = createRequire(import.meta.url);
const VEGA = 'vega-datasets (BSD-3-Clause); S&P 500 index from Yahoo Finance';
const OBSERVABLE = '@observablehq/sample-datasets (ISC); AAPL from Yahoo Finance, adjusted close';
const VEGA_MONTHLY = 'vega-datasets stocks.csv (BSD-3-Clause), monthly closes 2000-2010';
const SYNTHETIC = 'fin-hub seeded one-factor model on real S&P 500 returns (synthetic, not market data)';
const INDEX_ALIASES: Record<string, string> = {
  SPX: 'SPX',
  '^GSPC': 'SPX',
  GSPC: 'SPX',
  SP500: 'SPX',
  'S&P500': 'SPX',
};
const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** Standard normal draws from a seeded generator (Box-Muller). */
function normals(seed: string): () => number {
  const random = seedrandom(seed);
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

function lastDate(bars: Bar[]): string {
  return bars[bars.length - 1]?.date ?? '';
}

/**
 * The default provider: real data shipped by npm packages (daily S&P 500 2000-2020, daily AAPL
 * 2013-2018, monthly closes of five stocks 2000-2010) and seeded synthetic series for the rest.
 */
export function createOfflineProvider(): MarketDataProvider {
  const cache = new Map<string, PriceSeries>();
  // vega-datasets exports only its JS entry (build/index.js); the CSV files sit in data/ beside build/.
  const vegaDir = join(dirname(require.resolve('vega-datasets')), '..', 'data');

  function spx(): PriceSeries {
    let series = cache.get('SPX');
    if (!series) {
      const bars = readCsv(join(vegaDir, 'sp500-2000.csv')).map((r) => ({
        date: r.date!,
        open: Number(r.open),
        high: Number(r.high),
        low: Number(r.low),
        close: Number(r.adjclose),
        volume: Number(r.volume),
      }));
      series = {
        symbol: 'SPX',
        name: 'S&P 500 Index',
        assetClass: 'index',
        bars,
        source: { kind: 'real', provider: VEGA, frequency: 'daily', as_of: lastDate(bars) },
      };
      cache.set('SPX', series);
    }
    return series;
  }

  function aapl(): PriceSeries {
    let series = cache.get('AAPL');
    if (!series) {
      const bars = readCsv(require.resolve('@observablehq/sample-datasets/aapl.csv')).map((r) => {
        // Scale open/high/low by the adjustment factor so the bar stays consistent with the adjusted close.
        const factor = Number(r['Adj Close']) / Number(r.Close);
        return {
          date: r.Date!,
          open: Number(r.Open) * factor,
          high: Number(r.High) * factor,
          low: Number(r.Low) * factor,
          close: Number(r['Adj Close']),
          volume: Number(r.Volume),
        };
      });
      series = {
        symbol: 'AAPL',
        name: 'Apple Inc.',
        assetClass: 'equity',
        bars,
        source: { kind: 'real', provider: OBSERVABLE, frequency: 'daily', as_of: lastDate(bars) },
      };
      cache.set('AAPL', series);
    }
    return series;
  }

  function syntheticEquity(spec: (typeof SYNTHETIC_EQUITIES)[number]): PriceSeries {
    const market = spx().bars;
    const draw = normals(`fin-hub:${spec.symbol}`);
    const random = seedrandom(`fin-hub:start:${spec.symbol}`);
    let close = 20 + random() * 180;
    const bars: Bar[] = [];
    for (let i = 0; i < market.length; i++) {
      const marketReturn = i === 0 ? 0 : market[i]!.close / market[i - 1]!.close - 1;
      const r = spec.drift / 252 + spec.beta * marketReturn + (spec.idioVol / Math.sqrt(252)) * draw();
      const open = close * (1 + 0.002 * draw());
      close = Math.max(0.01, close * (1 + r));
      const spread = Math.abs(draw()) * 0.006;
      bars.push(barAround(market[i]!.date, open, close, spread, Math.round(5e6 * (1 + Math.abs(draw())))));
    }
    return {
      symbol: spec.symbol,
      name: spec.name,
      assetClass: 'equity',
      bars,
      source: { kind: 'synthetic', provider: SYNTHETIC, frequency: 'daily', as_of: lastDate(bars) },
    };
  }

  function syntheticCrypto(spec: (typeof SYNTHETIC_CRYPTO)[number]): PriceSeries {
    const draw = normals(`fin-hub:${spec.symbol}`);
    const end = Date.parse(`${spx().source.as_of}T00:00:00Z`);
    const bars: Bar[] = [];
    let close = spec.start;
    // Crypto trades every day: calendar days from 2015-01-01 to the market data's last date.
    for (let t = Date.parse('2015-01-01T00:00:00Z'); t <= end; t += 86_400_000) {
      const open = close;
      close = Math.max(
        1e-6,
        close * Math.exp((spec.drift - spec.vol ** 2 / 2) / 365 + (spec.vol / Math.sqrt(365)) * draw()),
      );
      const spread = Math.abs(draw()) * 0.02;
      bars.push(
        barAround(
          new Date(t).toISOString().slice(0, 10),
          open,
          close,
          spread,
          Math.round(1e8 * (1 + Math.abs(draw()))),
        ),
      );
    }
    return {
      symbol: spec.symbol,
      name: spec.name,
      assetClass: 'crypto',
      bars,
      source: {
        kind: 'synthetic',
        provider: 'fin-hub seeded geometric Brownian motion (synthetic, not market data)',
        frequency: 'daily',
        as_of: lastDate(bars),
      },
    };
  }

  function realMonthly(symbol: string): PriceSeries | undefined {
    const rows = readCsv(join(vegaDir, 'stocks.csv')).filter((r) => r.symbol === symbol);
    if (rows.length === 0) return undefined;
    const bars = rows.map((r) => {
      const [month, day, year] = r.date!.split(' ');
      const close = Number(r.price);
      return {
        date: `${year}-${MONTHS[month!]}-${day!.padStart(2, '0')}`,
        open: close,
        high: close,
        low: close,
        close,
        volume: 0,
      };
    });
    const info = SYNTHETIC_EQUITIES.find((e) => e.symbol === symbol);
    return {
      symbol,
      name: info?.name ?? (symbol === 'AAPL' ? 'Apple Inc.' : symbol),
      assetClass: 'equity',
      bars,
      source: { kind: 'real', provider: VEGA_MONTHLY, frequency: 'monthly', as_of: lastDate(bars) },
    };
  }

  function resolve(symbol: string): string {
    const upper = symbol.trim().toUpperCase();
    return INDEX_ALIASES[upper] ?? upper;
  }

  const provider: MarketDataProvider = {
    async daily(symbol) {
      const key = resolve(symbol);
      if (key === 'SPX') return spx();
      if (key === 'AAPL') return aapl();
      const cached = cache.get(key);
      if (cached) return cached;
      const equity = SYNTHETIC_EQUITIES.find((e) => e.symbol === key);
      const crypto = SYNTHETIC_CRYPTO.find((c) => c.symbol === key);
      if (!equity && !crypto) {
        const known = provider.symbols().map((s) => s.symbol);
        throw new UnknownSymbolError(symbol, known.filter((k) => k.startsWith(key.slice(0, 1))).slice(0, 5));
      }
      const series = equity ? syntheticEquity(equity) : syntheticCrypto(crypto!);
      cache.set(key, series);
      return series;
    },
    async monthly(symbol) {
      const key = resolve(symbol);
      const real = ['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT'].includes(key) ? realMonthly(key) : undefined;
      if (real) return real;
      const daily = await provider.daily(key);
      return monthlyFromDaily(daily);
    },
    symbols(): SymbolInfo[] {
      return [
        { symbol: 'SPX', name: 'S&P 500 Index', assetClass: 'index', daily: 'real' },
        {
          symbol: 'AAPL',
          name: 'Apple Inc.',
          assetClass: 'equity',
          sector: 'Technology',
          daily: 'real',
          monthly: 'real',
        },
        ...SYNTHETIC_EQUITIES.map((e) => ({
          symbol: e.symbol,
          name: e.name,
          assetClass: 'equity' as const,
          sector: e.sector,
          daily: 'synthetic' as const,
          ...(['AMZN', 'GOOG', 'IBM', 'MSFT'].includes(e.symbol) ? { monthly: 'real' as const } : {}),
        })),
        ...SYNTHETIC_CRYPTO.map((c) => ({
          symbol: c.symbol,
          name: c.name,
          assetClass: 'crypto' as const,
          daily: 'synthetic' as const,
        })),
      ];
    },
    describe() {
      return {
        provider: 'offline',
        sources: [
          {
            symbols: ['SPX'],
            kind: 'real',
            frequency: 'daily',
            range: '2000-01-03 to 2020-04-17',
            dataset: VEGA,
          },
          {
            symbols: ['AAPL'],
            kind: 'real',
            frequency: 'daily',
            range: '2013-05-13 to 2018-05-11',
            dataset: OBSERVABLE,
          },
          {
            symbols: ['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT'],
            kind: 'real',
            frequency: 'monthly',
            range: '2000-01-01 to 2010-03-01',
            dataset: VEGA_MONTHLY,
          },
          {
            symbols: SYNTHETIC_EQUITIES.map((e) => e.symbol),
            kind: 'synthetic',
            frequency: 'daily',
            range: '2000-01-03 to 2020-04-17',
            dataset: SYNTHETIC,
          },
          {
            symbols: SYNTHETIC_CRYPTO.map((c) => c.symbol),
            kind: 'synthetic',
            frequency: 'daily',
            range: '2015-01-01 to 2020-04-17',
            dataset: 'seeded geometric Brownian motion',
          },
        ],
      };
    },
  };
  return provider;
}
