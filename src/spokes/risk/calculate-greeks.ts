import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import { blackScholes, impliedVolatility } from '../maths/black-scholes.js';
import { round, simpleReturns, stdev } from '../maths/statistics.js';
import { ToolInputError } from '../series-input.js';

/** risk_calculate_greeks: Black-Scholes-Merton price, Greeks and implied volatility. */
export const calculateGreeks = (provider: MarketDataProvider) =>
  defineTool({
    name: 'risk_calculate_greeks',
    description:
      'European option price and Greeks (delta, gamma, vega per vol point, theta per day, rho per 1%) by Black-Scholes-Merton, and implied volatility from a market price. Give spot and volatility, or a symbol (spot = last close, volatility = 1-year historical).',
    category: 'risk',
    inputSchema: {
      symbol: z.string().min(1).max(16).optional(),
      spot: z.number().positive().optional(),
      strike: z.number().positive().optional().describe('Default: at the money'),
      expiry_days: z.number().positive().max(3650).default(30).describe('Calendar days to expiry'),
      volatility: z.number().positive().max(5).optional().describe('Annual, e.g. 0.2'),
      risk_free_rate: z.number().min(-0.05).max(0.5).default(0.04),
      dividend_yield: z.number().min(0).max(0.5).default(0),
      option_type: z.enum(['call', 'put', 'both']).default('both'),
      market_price: z
        .number()
        .positive()
        .optional()
        .describe('Observed option price: returns the implied volatility'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
    handler: async (args) => {
      let spot = args.spot;
      let volatility = args.volatility;
      let source: unknown = { kind: 'user', provider: 'caller-supplied inputs' };
      if (args.symbol) {
        const series = await provider.daily(args.symbol);
        const closes = series.bars.slice(-253).map((b) => b.close);
        spot ??= closes[closes.length - 1]!;
        volatility ??= stdev(simpleReturns(closes)) * Math.sqrt(252);
        source = series.source;
      }
      if (spot === undefined) throw new ToolInputError('give spot, or a symbol to take the spot price from');
      const strike = args.strike ?? spot;
      const years = args.expiry_days / 365;
      const base = { spot, strike, years, rate: args.risk_free_rate, dividendYield: args.dividend_yield };
      let implied: number | null | undefined;
      if (args.market_price !== undefined) {
        const type = args.option_type === 'put' ? 'put' : 'call';
        implied = impliedVolatility(args.market_price, type, base);
        if (implied === null)
          throw new ToolInputError(
            `a ${type} price of ${args.market_price} is outside what any volatility can produce for these inputs`,
          );
        volatility ??= implied;
      }
      if (volatility === undefined) throw new ToolInputError('give volatility, a symbol, or market_price');
      const valuation = blackScholes({ ...base, volatility });
      const view = (o: (typeof valuation)['call']) => ({
        price: round(o.price, 4),
        delta: round(o.delta, 4),
        gamma: round(o.gamma, 6),
        vega_per_vol_point: round(o.vega / 100, 4),
        theta_per_day: round(o.theta / 365, 4),
        rho_per_percent: round(o.rho / 100, 4),
        intrinsic_value: round(Math.max(0, o === valuation.call ? spot - strike : strike - spot), 4),
      });
      return jsonResult({
        inputs: {
          spot: round(spot, 4),
          strike: round(strike, 4),
          expiry_days: args.expiry_days,
          volatility: round(volatility, 6),
          risk_free_rate: args.risk_free_rate,
          dividend_yield: args.dividend_yield,
        },
        d1: round(valuation.d1, 6),
        d2: round(valuation.d2, 6),
        ...(args.option_type !== 'put' ? { call: view(valuation.call) } : {}),
        ...(args.option_type !== 'call' ? { put: view(valuation.put) } : {}),
        ...(implied !== undefined ? { implied_volatility: round(implied!, 6) } : {}),
        moneyness: spot > strike ? 'call in the money' : spot < strike ? 'put in the money' : 'at the money',
        source,
      });
    },
  });
