import { ToolInputError } from '../series-input.js';
import { createLiveClient, type LiveService, unexpectedAnswer } from './live-request.js';

const COINGECKO: LiveService = { name: 'CoinGecko', keyVariable: 'COINGECKO_API_KEY' };

/** Tickers to CoinGecko's coin ids (its API is by id; the ids of the largest coins by market cap). */
const COIN_IDS: Record<string, string> = {
  BTC: 'bitcoin',
  ETH: 'ethereum',
  USDT: 'tether',
  XRP: 'ripple',
  BNB: 'binancecoin',
  SOL: 'solana',
  USDC: 'usd-coin',
  DOGE: 'dogecoin',
  ADA: 'cardano',
  TRX: 'tron',
  AVAX: 'avalanche-2',
  LINK: 'chainlink',
  DOT: 'polkadot',
  LTC: 'litecoin',
  BCH: 'bitcoin-cash',
  XLM: 'stellar',
};

/** CoinGecko's /simple/price (https://docs.coingecko.com): live price, 24 h change, volume, market cap. */
export function createCoinGecko(options: { apiKey: string; baseUrl?: string; timeoutMs?: number }) {
  const baseUrl = options.baseUrl ?? 'https://api.coingecko.com';
  const request = createLiveClient(COINGECKO);
  return {
    service: COINGECKO,
    async price(symbol: string) {
      const ticker = symbol.trim().toUpperCase();
      const id = COIN_IDS[ticker];
      if (!id)
        throw new ToolInputError(
          `no CoinGecko coin for "${ticker}"; live crypto covers ${Object.keys(COIN_IDS).join(', ')}`,
        );
      const params = new URLSearchParams({
        ids: id,
        vs_currencies: 'usd',
        include_market_cap: 'true',
        include_24hr_vol: 'true',
        include_24hr_change: 'true',
        include_last_updated_at: 'true',
      });
      const body = (await request(`${baseUrl}/api/v3/simple/price?${params}`, {
        timeoutMs: options.timeoutMs,
        headers: { 'x-cg-demo-api-key': options.apiKey },
      })) as Record<string, Record<string, number>>;
      const coin = body?.[id];
      if (typeof coin?.usd !== 'number') throw unexpectedAnswer(COINGECKO, `a price for ${id}`);
      const asOf = new Date((coin.last_updated_at ?? 0) * 1000).toISOString();
      return {
        symbol: ticker,
        coin_id: id,
        price_usd: coin.usd,
        change_24h_percent: coin.usd_24h_change ?? null,
        volume_24h_usd: coin.usd_24h_vol ?? null,
        market_cap_usd: coin.usd_market_cap ?? null,
        as_of: asOf,
        source: { kind: 'real' as const, provider: 'CoinGecko /simple/price (live)', as_of: asOf },
      };
    },
  };
}

export type CoinGecko = ReturnType<typeof createCoinGecko>;
