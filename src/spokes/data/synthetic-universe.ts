/**
 * Symbols without a real daily series in the bundled datasets. Their daily prices are generated
 * by a seeded one-factor model on the real S&P 500 returns (beta × market + idiosyncratic noise),
 * so correlations and crashes look like markets do, and every result labels them synthetic.
 */
export const SYNTHETIC_EQUITIES: {
  symbol: string;
  name: string;
  sector: string;
  beta: number;
  idioVol: number;
  drift: number;
}[] = [
  { symbol: 'MSFT', name: 'Microsoft Corp.', sector: 'Technology', beta: 1.1, idioVol: 0.22, drift: 0.06 },
  {
    symbol: 'GOOG',
    name: 'Alphabet Inc. (Google)',
    sector: 'Communication Services',
    beta: 1.05,
    idioVol: 0.24,
    drift: 0.08,
  },
  {
    symbol: 'AMZN',
    name: 'Amazon.com Inc.',
    sector: 'Consumer Discretionary',
    beta: 1.25,
    idioVol: 0.3,
    drift: 0.1,
  },
  {
    symbol: 'IBM',
    name: 'International Business Machines',
    sector: 'Technology',
    beta: 0.9,
    idioVol: 0.18,
    drift: 0.0,
  },
  { symbol: 'NVDA', name: 'NVIDIA Corp.', sector: 'Technology', beta: 1.6, idioVol: 0.4, drift: 0.12 },
  {
    symbol: 'META',
    name: 'Meta Platforms Inc.',
    sector: 'Communication Services',
    beta: 1.2,
    idioVol: 0.3,
    drift: 0.06,
  },
  {
    symbol: 'TSLA',
    name: 'Tesla Inc.',
    sector: 'Consumer Discretionary',
    beta: 1.8,
    idioVol: 0.5,
    drift: 0.1,
  },
  {
    symbol: 'JPM',
    name: 'JPMorgan Chase & Co.',
    sector: 'Financials',
    beta: 1.15,
    idioVol: 0.2,
    drift: 0.04,
  },
  {
    symbol: 'BAC',
    name: 'Bank of America Corp.',
    sector: 'Financials',
    beta: 1.35,
    idioVol: 0.25,
    drift: 0.02,
  },
  { symbol: 'V', name: 'Visa Inc.', sector: 'Financials', beta: 0.95, idioVol: 0.18, drift: 0.08 },
  { symbol: 'JNJ', name: 'Johnson & Johnson', sector: 'Health Care', beta: 0.65, idioVol: 0.14, drift: 0.04 },
  {
    symbol: 'UNH',
    name: 'UnitedHealth Group Inc.',
    sector: 'Health Care',
    beta: 0.8,
    idioVol: 0.2,
    drift: 0.08,
  },
  {
    symbol: 'PG',
    name: 'Procter & Gamble Co.',
    sector: 'Consumer Staples',
    beta: 0.55,
    idioVol: 0.13,
    drift: 0.04,
  },
  { symbol: 'KO', name: 'Coca-Cola Co.', sector: 'Consumer Staples', beta: 0.6, idioVol: 0.13, drift: 0.03 },
  { symbol: 'WMT', name: 'Walmart Inc.', sector: 'Consumer Staples', beta: 0.5, idioVol: 0.16, drift: 0.04 },
  { symbol: 'XOM', name: 'Exxon Mobil Corp.', sector: 'Energy', beta: 0.9, idioVol: 0.2, drift: 0.02 },
  {
    symbol: 'HD',
    name: 'Home Depot Inc.',
    sector: 'Consumer Discretionary',
    beta: 1.0,
    idioVol: 0.18,
    drift: 0.07,
  },
  {
    symbol: 'DIS',
    name: 'Walt Disney Co.',
    sector: 'Communication Services',
    beta: 1.05,
    idioVol: 0.2,
    drift: 0.04,
  },
  {
    symbol: 'NFLX',
    name: 'Netflix Inc.',
    sector: 'Communication Services',
    beta: 1.3,
    idioVol: 0.45,
    drift: 0.12,
  },
  { symbol: 'T', name: 'AT&T Inc.', sector: 'Communication Services', beta: 0.7, idioVol: 0.16, drift: 0.0 },
];

export const SYNTHETIC_CRYPTO: { symbol: string; name: string; vol: number; drift: number; start: number }[] =
  [
    { symbol: 'BTC', name: 'Bitcoin', vol: 0.75, drift: 0.35, start: 300 },
    { symbol: 'ETH', name: 'Ethereum', vol: 0.95, drift: 0.4, start: 2 },
    { symbol: 'SOL', name: 'Solana', vol: 1.2, drift: 0.3, start: 1 },
    { symbol: 'XRP', name: 'XRP', vol: 1.0, drift: 0.1, start: 0.02 },
  ];
