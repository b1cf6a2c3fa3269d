import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { round } from '../maths/statistics.js';
import {
  type LotMethod,
  lotPosition,
  selectLots,
  type TaxLot,
  washSaleWindowTrades,
} from '../maths/tax-lots.js';
import { ToolInputError } from '../series-input.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const METHODS: LotMethod[] = ['fifo', 'lifo', 'hifo', 'tax_optimal'];
const money = (x: number) => round(x, 2);

/** Prices per symbol: the caller's, or the provider's last close on or before the date (its source kept). */
async function pricesFor(
  provider: MarketDataProvider,
  symbols: string[],
  given: Record<string, number>,
  date: string,
) {
  const prices: Record<string, number> = {};
  const sources: Record<string, unknown>[] = [];
  for (const symbol of symbols) {
    if (given[symbol] !== undefined) {
      prices[symbol] = given[symbol];
      continue;
    }
    const series = await provider.daily(symbol);
    const bar = series.bars.findLast((b) => b.date <= date);
    if (!bar)
      throw new ToolInputError(`${symbol} has no price on or before ${date}; give current_prices.${symbol}`);
    prices[symbol] = bar.close;
    sources.push({ symbol, ...series.source, as_of: bar.date });
  }
  return { prices, sources };
}

/** portfolio_optimize_taxes: tax-loss harvesting, lot selection and short- vs long-term gains. */
export const optimizeTaxes = (provider: MarketDataProvider) =>
  defineTool({
    name: 'portfolio_optimize_taxes',
    description:
      'Tax view of a portfolio of lots (US rules): each lot’s unrealised gain, short- or long-term (held over a year), tax if sold; tax-loss-harvesting candidates (loss ≥ harvest_threshold of cost) with the tax each saves and wash-sale warnings (a purchase of the same symbol within 30 days); for a planned sale, the lots and tax under FIFO, LIFO, HIFO and tax-optimal specific identification. Not tax advice.',
    category: 'portfolio',
    tags: ['tax', 'harvesting', 'lots'],
    inputSchema: {
      lots: z
        .array(
          z.object({
            symbol: z.string().min(1).max(16),
            shares: z.number().positive(),
            cost_basis: z.number().positive().describe('Per share'),
            purchase_date: isoDate,
          }),
        )
        .min(1)
        .max(1000),
      current_prices: z.record(z.string().min(1).max(16), z.number().positive()).default({}),
      current_date: isoDate
        .optional()
        .describe("Defaults to today (prices from the data's last close before it)"),
      recent_trades: z
        .array(
          z.object({
            symbol: z.string().min(1).max(16),
            date: isoDate,
            action: z.enum(['buy', 'sell']),
            shares: z.number().positive(),
          }),
        )
        .max(1000)
        .default([]),
      short_term_rate: z.number().min(0).max(0.6).default(0.24).describe('Ordinary income bracket'),
      long_term_rate: z.number().min(0).max(0.4).default(0.15),
      harvest_threshold: z.number().min(0).max(1).default(0.03).describe('Loss as a fraction of cost'),
      sell: z.object({ symbol: z.string().min(1).max(16), shares: z.number().positive() }).optional(),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      const date = args.current_date ?? new Date().toISOString().slice(0, 10);
      const rates = { short_term: args.short_term_rate, long_term: args.long_term_rate };
      const lots: TaxLot[] = args.lots.map((l, i) => ({
        ...l,
        symbol: l.symbol.toUpperCase(),
        id: `lot-${i + 1}`,
      }));
      const future = lots.find((l) => l.purchase_date > date);
      if (future)
        throw new ToolInputError(`${future.id} (${future.symbol}) was bought after current_date ${date}`);
      const given = Object.fromEntries(
        Object.entries(args.current_prices).map(([s, p]) => [s.toUpperCase(), p]),
      );
      const symbols = [...new Set(lots.map((l) => l.symbol))];
      const { prices, sources } = await pricesFor(provider, symbols, given, date);
      const positions = lots.map((lot) => lotPosition(lot, prices[lot.symbol]!, date, rates));
      const trades = args.recent_trades.map((t) => ({ ...t, symbol: t.symbol.toUpperCase() }));

      const candidates = positions
        .filter((p) => p.gain_fraction <= -args.harvest_threshold)
        .map((p) => {
          // Buying the same symbol within 30 days of a loss sale disallows the loss (a wash sale):
          // recent purchases, and other lots bought in the window, put the harvest at risk.
          const window = [
            ...washSaleWindowTrades(trades, p.symbol, date),
            ...lots
              .filter((l) => l.id !== p.id && l.symbol === p.symbol)
              .map((l) => ({ symbol: l.symbol, date: l.purchase_date, action: 'buy' as const })),
          ].filter((t) => Math.abs(Date.parse(t.date) - Date.parse(date)) <= 30 * 86_400_000);
          return {
            lot: p.id,
            symbol: p.symbol,
            loss: money(p.unrealised_gain),
            term: p.term,
            tax_saving: money(-p.tax_if_sold),
            wash_sale_risk: window.length > 0,
            wash_sale_trades: window.map((t) => t.date),
          };
        })
        .sort((a, b) => b.tax_saving - a.tax_saving);

      const sum = (pick: (p: (typeof positions)[number]) => number) =>
        positions.reduce((s, p) => s + pick(p), 0);
      const stGain = sum((p) => (p.term === 'short' ? p.unrealised_gain : 0));
      const ltGain = sum((p) => (p.term === 'long' ? p.unrealised_gain : 0));

      let lotSelection: Record<string, unknown> | undefined;
      if (args.sell) {
        const symbol = args.sell.symbol.toUpperCase();
        const own = lots.filter((l) => l.symbol === symbol);
        const held = own.reduce((s, l) => s + l.shares, 0);
        if (args.sell.shares > held + 1e-9)
          throw new ToolInputError(
            `sell.shares ${args.sell.shares} is more than the ${held} ${symbol} shares in lots`,
          );
        const byMethod = METHODS.map((m) =>
          selectLots(own, args.sell!.shares, m, prices[symbol]!, date, rates),
        ).map((r) => ({
          ...r,
          short_term_gain: money(r.short_term_gain),
          long_term_gain: money(r.long_term_gain),
          tax: money(r.tax),
          lots: r.lots.map((l) => ({ ...l, gain: money(l.gain), tax: money(l.tax) })),
        }));
        const best = [...byMethod].sort((a, b) => a.tax - b.tax)[0]!;
        lotSelection = {
          symbol,
          shares: args.sell.shares,
          price: prices[symbol],
          methods: byMethod,
          lowest_tax: best.method,
        };
      }

      const recommendations: string[] = [];
      for (const c of candidates.filter((c) => !c.wash_sale_risk).slice(0, 5))
        recommendations.push(
          `Harvest ${c.lot} (${c.symbol}): ${c.term}-term loss ${c.loss} saves about ${c.tax_saving} in tax; do not buy ${c.symbol} again within 30 days`,
        );
      for (const c of candidates.filter((c) => c.wash_sale_risk))
        recommendations.push(
          `${c.lot} (${c.symbol}): a purchase within 30 days (${c.wash_sale_trades.join(', ')}) would make the loss a wash sale`,
        );
      const nearLong = positions.filter(
        (p) => p.term === 'short' && p.unrealised_gain > 0 && p.holding_days >= 335,
      );
      for (const p of nearLong)
        recommendations.push(
          `${p.id} (${p.symbol}) turns long-term within ${366 - p.holding_days} days: waiting taxes its gain at ${rates.long_term} instead of ${rates.short_term}`,
        );
      if (stGain + ltGain < -3000)
        recommendations.push(
          'Net capital losses beyond $3,000 a year offset ordinary income only in later years (carried forward)',
        );

      return jsonResult({
        as_of: date,
        lots: positions.map((p) => ({
          ...p,
          market_value: money(p.market_value),
          unrealised_gain: money(p.unrealised_gain),
          gain_fraction: round(p.gain_fraction, 6),
          tax_if_sold: money(p.tax_if_sold),
        })),
        summary: {
          market_value: money(sum((p) => p.market_value)),
          short_term_gain: money(stGain),
          long_term_gain: money(ltGain),
          tax_if_all_sold: money(sum((p) => p.tax_if_sold)),
          harvestable_loss: money(candidates.reduce((s, c) => s + c.loss, 0)),
          harvest_tax_saving: money(
            candidates.filter((c) => !c.wash_sale_risk).reduce((s, c) => s + c.tax_saving, 0),
          ),
        },
        harvest_candidates: candidates,
        lot_selection: lotSelection,
        recommendations,
        rates,
        source: {
          prices: sources.length ? sources : 'caller-supplied prices',
          note: 'US federal rules; not tax advice',
        },
      });
    },
  });
