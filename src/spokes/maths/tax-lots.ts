/** One tax lot: shares bought together at one price on one date. */
export interface TaxLot {
  id: string;
  symbol: string;
  shares: number;
  /** Per share. */
  cost_basis: number;
  purchase_date: string;
}

export interface TaxRates {
  short_term: number;
  long_term: number;
}

const DAY = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

/**
 * Long-term when held more than one year (US: the day after the purchase through the first
 * anniversary is one year; sold after it, long-term).
 */
export function isLongTerm(purchaseDate: string, saleDate: string): boolean {
  const anniversary = new Date(purchaseDate);
  anniversary.setUTCFullYear(anniversary.getUTCFullYear() + 1);
  return Date.parse(saleDate) > anniversary.getTime();
}

/** A lot valued at `price` on `date`: its gain, term and the tax a sale would cost (negative: saves). */
export function lotPosition(lot: TaxLot, price: number, date: string, rates: TaxRates) {
  const gain = (price - lot.cost_basis) * lot.shares;
  const longTerm = isLongTerm(lot.purchase_date, date);
  return {
    ...lot,
    price,
    market_value: price * lot.shares,
    unrealised_gain: gain,
    gain_fraction: price / lot.cost_basis - 1,
    holding_days: days(lot.purchase_date, date),
    term: longTerm ? ('long' as const) : ('short' as const),
    tax_if_sold: gain * (longTerm ? rates.long_term : rates.short_term),
  };
}

export type LotMethod = 'fifo' | 'lifo' | 'hifo' | 'tax_optimal';

/**
 * Which lots a sale of `shares` draws from, by method: FIFO (oldest first), LIFO (newest first),
 * HIFO (highest cost first), or tax_optimal (specific identification: the lots whose sale costs
 * the least tax per share first, i.e. losses first and long-term gains before short-term ones).
 */
export function selectLots(
  lots: TaxLot[],
  shares: number,
  method: LotMethod,
  price: number,
  date: string,
  rates: TaxRates,
) {
  const taxPerShare = (lot: TaxLot) =>
    (price - lot.cost_basis) * (isLongTerm(lot.purchase_date, date) ? rates.long_term : rates.short_term);
  const orders: Record<LotMethod, (a: TaxLot, b: TaxLot) => number> = {
    fifo: (a, b) => a.purchase_date.localeCompare(b.purchase_date),
    lifo: (a, b) => b.purchase_date.localeCompare(a.purchase_date),
    hifo: (a, b) => b.cost_basis - a.cost_basis,
    tax_optimal: (a, b) => taxPerShare(a) - taxPerShare(b),
  };
  const order = [...lots].sort(orders[method]);
  let left = shares;
  const drawn: { lot: string; shares: number; gain: number; term: 'short' | 'long'; tax: number }[] = [];
  for (const lot of order) {
    if (left <= 0) break;
    const take = Math.min(left, lot.shares);
    const position = lotPosition({ ...lot, shares: take }, price, date, rates);
    drawn.push({
      lot: lot.id,
      shares: take,
      gain: position.unrealised_gain,
      term: position.term,
      tax: position.tax_if_sold,
    });
    left -= take;
  }
  const sum = (pick: (d: (typeof drawn)[number]) => number) => drawn.reduce((s, d) => s + pick(d), 0);
  return {
    method,
    lots: drawn,
    short_term_gain: sum((d) => (d.term === 'short' ? d.gain : 0)),
    long_term_gain: sum((d) => (d.term === 'long' ? d.gain : 0)),
    tax: sum((d) => d.tax),
  };
}

/** A trade inside the wash-sale window (30 days either side of `date`) of the same symbol. */
export function washSaleWindowTrades<T extends { symbol: string; date: string; action: string }>(
  trades: T[],
  symbol: string,
  date: string,
): T[] {
  return trades.filter(
    (t) => t.symbol === symbol && t.action === 'buy' && Math.abs(days(t.date, date)) <= 30,
  );
}
