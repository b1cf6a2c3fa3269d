import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import type { MarketDataProvider } from '../data/price-series.js';
import type { LiveSources } from '../live/live-sources.js';
import { momentumScore, sentimentLabel, textSentiment } from '../maths/news-sentiment.js';
import { round } from '../maths/statistics.js';
import { RSI } from '../maths/technical-indicators.js';
import { windowBars } from '../series-input.js';
import { searchNews } from './financial-news.js';

const SIGNALS = {
  VERY_NEGATIVE: 'STRONG_SELL',
  NEGATIVE: 'SELL',
  NEUTRAL: 'HOLD',
  POSITIVE: 'BUY',
  VERY_POSITIVE: 'STRONG_BUY',
} as const;

/** sentiment_analysis: news tone (live) combined with price momentum (RSI and 20-day return). */
export const sentimentAnalysis = (provider: MarketDataProvider, live: LiveSources) =>
  defineTool({
    name: 'sentiment_analysis',
    description:
      "A symbol's sentiment: the tone of recent news (financial-news word list, −1..1; live, needs NEWS_API_KEY or FINNHUB_API_KEY) combined 70/30 with price momentum (RSI(14) and 20-day return, −1..1), as a label and a signal. Without a news key the result is momentum only and says which variable to set.",
    category: 'market',
    tags: ['sentiment', 'news', 'momentum'],
    inputSchema: {
      symbol: z.string().min(1).max(16).describe('Ticker (see symbol_search)'),
      query: z.string().trim().min(1).max(200).optional().describe('News search words (default: the symbol)'),
      days: z.number().int().min(1).max(30).default(7).describe('How far back the news goes'),
      end_date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional()
        .describe("Momentum as of this date (defaults to the data's last date)"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    handler: async ({ symbol, query, days, end_date }) => {
      const { series, bars } = await windowBars(provider, symbol, 60, end_date);
      const closes = bars.map((b) => b.close);
      const rsi = RSI.calculate({ period: 14, values: closes }).at(-1) ?? 50;
      const return20d = closes[closes.length - 1]! / closes[Math.max(0, closes.length - 21)]! - 1;
      const momentum = momentumScore(rsi, return20d);
      let news: Record<string, unknown>;
      let combined = momentum;
      if (live.newsapi || live.finnhub) {
        const found = await searchNews(live, query ?? series.symbol, 20, days);
        const scores = found.articles.map((a) => textSentiment(`${a.title}. ${a.description}`).score);
        const newsScore = scores.length ? scores.reduce((s, v) => s + v, 0) / scores.length : 0;
        if (scores.length) combined = 0.7 * newsScore + 0.3 * momentum;
        news = {
          available: true,
          score: round(newsScore, 3),
          label: sentimentLabel(newsScore),
          articles: found.articles.length,
          headlines: found.articles.slice(0, 5).map((a) => a.title),
          provider: found.provider,
        };
      } else {
        news = { available: false, reason: 'news needs NEWS_API_KEY (NewsAPI) or FINNHUB_API_KEY (Finnhub)' };
      }
      const label = sentimentLabel(combined);
      return jsonResult({
        symbol: series.symbol,
        as_of: bars[bars.length - 1]!.date,
        score: round(combined, 3),
        label,
        signal: SIGNALS[label],
        basis: news.available && news.articles ? '0.7 × news + 0.3 × momentum' : 'momentum only',
        news,
        momentum: { score: round(momentum, 3), rsi14: round(rsi, 2), return_20d: round(return20d, 6) },
        source: { ...series.source, as_of: bars[bars.length - 1]!.date },
      });
    },
  });
