import { ToolInputError } from '../series-input.js';
import { createLiveClient, LiveDataError, type LiveService, unexpectedAnswer } from './live-request.js';
import type { NewsArticle } from './news-article.js';

const NEWSAPI: LiveService = { name: 'NewsAPI', keyVariable: 'NEWS_API_KEY' };

/** NewsAPI's /v2/everything (https://newsapi.org/docs/endpoints/everything): articles matching words. */
export function createNewsApi(options: { apiKey: string; baseUrl?: string; timeoutMs?: number }) {
  const baseUrl = options.baseUrl ?? 'https://newsapi.org';
  const request = createLiveClient(NEWSAPI);
  return {
    service: NEWSAPI,
    async news(query: string, limit: number, from: string): Promise<NewsArticle[]> {
      const params = new URLSearchParams({
        q: query,
        from,
        pageSize: String(limit),
        sortBy: 'publishedAt',
        language: 'en',
      });
      // NewsAPI says what was wrong with a request in a 400's body.
      const body = (await request(`${baseUrl}/v2/everything?${params}`, {
        timeoutMs: options.timeoutMs,
        headers: { 'X-Api-Key': options.apiKey },
        acceptStatuses: [400],
      })) as { status?: string; code?: string; message?: string; articles?: unknown };
      if (body?.status === 'error') {
        const message = `NewsAPI refused the search (${body.code ?? 'error'}): ${body.message ?? ''}`.trim();
        throw body.code?.startsWith('parameter') ? new ToolInputError(message) : new LiveDataError(message);
      }
      if (!Array.isArray(body?.articles)) throw unexpectedAnswer(NEWSAPI, 'a list of articles');
      return (body.articles as Record<string, unknown>[])
        .filter((a) => typeof a.title === 'string' && typeof a.url === 'string')
        .map((a) => ({
          title: String(a.title),
          description: typeof a.description === 'string' ? a.description : '',
          url: String(a.url),
          source: String((a.source as { name?: string } | undefined)?.name ?? 'NewsAPI'),
          published_at: String(a.publishedAt ?? ''),
        }));
    },
  };
}

export type NewsApi = ReturnType<typeof createNewsApi>;
