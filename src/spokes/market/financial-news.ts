import { z } from 'zod';
import { defineTool, jsonResult } from '../../spoke/spoke-tool.js';
import { keyMissing } from '../live/live-request.js';
import type { LiveSources } from '../live/live-sources.js';
import type { NewsArticle } from '../live/news-article.js';
import { sentimentLabel, textSentiment } from '../maths/news-sentiment.js';
import { round } from '../maths/statistics.js';

/** The first date of a window of `days` ending today, as YYYY-MM-DD. */
function daysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Recent articles from the first news provider with a key (NewsAPI, then Finnhub). */
export async function searchNews(
  live: LiveSources,
  query: string,
  limit: number,
  days: number,
): Promise<{ provider: string; articles: NewsArticle[] }> {
  if (live.newsapi)
    return {
      provider: 'NewsAPI /v2/everything (live)',
      articles: await live.newsapi.news(query, limit, daysAgo(days)),
    };
  if (live.finnhub)
    return {
      provider: 'Finnhub news (live)',
      articles: await live.finnhub.news(query, limit, daysAgo(days), daysAgo(0)),
    };
  throw keyMissing('news', 'NEWS_API_KEY (NewsAPI)', 'FINNHUB_API_KEY (Finnhub)');
}

/** financial_news: recent articles about a company or topic, each with a lexicon sentiment score. */
export const financialNews = (live: LiveSources) =>
  defineTool({
    name: 'financial_news',
    description:
      'Recent news articles about a company, ticker or topic (title, description, URL, publication, date), each scored for tone with a financial-news word list (score −1..1 and label). Live data: needs NEWS_API_KEY (NewsAPI) or FINNHUB_API_KEY (Finnhub).',
    category: 'market',
    tags: ['news', 'sentiment', 'live'],
    inputSchema: {
      query: z.string().trim().min(1).max(200).describe('Words to search, or a ticker such as AAPL'),
      limit: z.number().int().min(1).max(50).default(10),
      days: z.number().int().min(1).max(30).default(7).describe('How far back to look'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    handler: async ({ query, limit, days }) => {
      const { provider, articles } = await searchNews(live, query, limit, days);
      return jsonResult({
        query,
        count: articles.length,
        articles: articles.map((a) => {
          const tone = textSentiment(`${a.title}. ${a.description}`);
          return { ...a, sentiment: { score: round(tone.score, 3), label: sentimentLabel(tone.score) } };
        }),
        source: { kind: 'real', provider, as_of: articles[0]?.published_at ?? daysAgo(0) },
      });
    },
  });
