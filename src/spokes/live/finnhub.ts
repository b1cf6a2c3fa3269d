import { ToolInputError } from '../series-input.js';
import { createLiveClient, type LiveService, unexpectedAnswer } from './live-request.js';
import type { NewsArticle } from './news-article.js';

const FINNHUB: LiveService = { name: 'Finnhub', keyVariable: 'FINNHUB_API_KEY' };

export interface LiveQuote {
  symbol: string;
  price: number;
  change: number;
  change_percent: number;
  open: number;
  high: number;
  low: number;
  previous_close: number;
  /** When the exchange last traded it (ISO), not when the spoke asked. */
  as_of: string;
  source: { kind: 'real'; provider: string; as_of: string };
}

/** Finnhub's REST API (https://finnhub.io/docs/api): live quotes and company or market news. */
export function createFinnhub(options: { apiKey: string; baseUrl?: string; timeoutMs?: number }) {
  const baseUrl = options.baseUrl ?? 'https://finnhub.io';
  const request = createLiveClient(FINNHUB);
  // The key goes in a header, not the query string, so it never lands in a proxy's access log.
  const get = (path: string) =>
    request(`${baseUrl}/api/v1${path}`, {
      timeoutMs: options.timeoutMs,
      headers: { 'X-Finnhub-Token': options.apiKey },
    });

  return {
    service: FINNHUB,
    async quote(symbol: string): Promise<LiveQuote> {
      const ticker = symbol.trim().toUpperCase();
      const body = (await get(`/quote?symbol=${encodeURIComponent(ticker)}`)) as Record<string, number>;
      if (typeof body?.c !== 'number') throw unexpectedAnswer(FINNHUB, 'a quote');
      // Finnhub answers an unknown symbol with a quote of zeros.
      if (body.c === 0 && !body.t)
        throw new ToolInputError(`Finnhub has no quote for "${ticker}"; check the ticker (symbol_search)`);
      const asOf = new Date((body.t ?? 0) * 1000).toISOString();
      return {
        symbol: ticker,
        price: body.c,
        change: body.d ?? 0,
        change_percent: body.dp ?? 0,
        open: body.o ?? 0,
        high: body.h ?? 0,
        low: body.l ?? 0,
        previous_close: body.pc ?? 0,
        as_of: asOf,
        source: { kind: 'real', provider: 'Finnhub /quote (live)', as_of: asOf },
      };
    },
    /** A ticker's company news between two dates, or the general market news filtered by words. */
    async news(query: string, limit: number, from: string, to: string): Promise<NewsArticle[]> {
      const ticker = /^[A-Z][A-Z0-9.]{0,9}$/.test(query.trim()) ? query.trim() : undefined;
      const body = await get(
        ticker
          ? `/company-news?symbol=${encodeURIComponent(ticker)}&from=${from}&to=${to}`
          : '/news?category=general',
      );
      if (!Array.isArray(body)) throw unexpectedAnswer(FINNHUB, 'a list of articles');
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      return (body as Record<string, unknown>[])
        .filter((a) => typeof a.headline === 'string' && typeof a.url === 'string')
        .filter((a) => ticker || words.some((w) => `${a.headline} ${a.summary}`.toLowerCase().includes(w)))
        .slice(0, limit)
        .map((a) => ({
          title: String(a.headline),
          description: typeof a.summary === 'string' ? a.summary : '',
          url: String(a.url),
          source: typeof a.source === 'string' ? a.source : 'Finnhub',
          published_at: new Date(Number(a.datetime ?? 0) * 1000).toISOString(),
        }));
    },
  };
}

export type Finnhub = ReturnType<typeof createFinnhub>;
