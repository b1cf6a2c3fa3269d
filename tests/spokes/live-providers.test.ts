// The live data providers (Finnhub, CoinGecko, FRED, NewsAPI, OpenSanctions), each against a local
// HTTP server replaying responses of the shape the real API sends: what they parse, and how each
// way they fail (rate limit, refused key, no answer, unknown name) becomes a clear tool error. No
// test touches the internet. Then the tools that use them, through a hub, over MCP.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createSilentLogger } from '../../src/logger.js';
import { startSpoke } from '../../src/spoke/create-spoke.js';
import { createCoinGecko } from '../../src/spokes/live/coingecko.js';
import { createFinnhub } from '../../src/spokes/live/finnhub.js';
import { createFred } from '../../src/spokes/live/fred.js';
import type { LiveSources } from '../../src/spokes/live/live-sources.js';
import { createNewsApi } from '../../src/spokes/live/newsapi.js';
import { createOpenSanctions } from '../../src/spokes/live/opensanctions.js';
import { REFERENCE_SPOKES } from '../../src/spokes/reference-spokes.js';
import { freePort } from '../helpers/free-port.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { startTestHub } from '../helpers/test-hub.js';

interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (a provider that hangs). */
  hang?: boolean;
}

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server answering each request with `reply(path, body)`; records what it was sent. */
async function recordedServer(t: TestContext, reply: (url: URL, body: string) => Reply) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://recorded');
      seen.push({ path: url.pathname + url.search, headers: req.headers, body });
      const answer = reply(url, body);
      if (answer.hang) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

// Shapes as the providers document and send them.
const FINNHUB_QUOTE = {
  c: 234.07,
  d: 1.97,
  dp: 0.8488,
  h: 235.12,
  l: 231.81,
  o: 232.61,
  pc: 232.1,
  t: 1764360000,
};
const FINNHUB_NEWS = [
  {
    category: 'company',
    datetime: 1764300000,
    headline: 'Apple shares surge as iPhone sales beat estimates',
    id: 1,
    image: '',
    related: 'AAPL',
    source: 'Reuters',
    summary: 'Strong demand lifted revenue to a record.',
    url: 'https://example.test/apple-1',
  },
];
const COINGECKO_PRICE = {
  bitcoin: {
    usd: 91234.5,
    usd_market_cap: 1.81e12,
    usd_24h_vol: 4.2e10,
    usd_24h_change: -1.25,
    last_updated_at: 1764360000,
  },
};
const FRED_SERIES = {
  seriess: [
    { id: 'GDP', title: 'Gross Domestic Product', units: 'Billions of Dollars', frequency: 'Quarterly' },
  ],
};
const FRED_OBSERVATIONS = {
  observations: [
    { date: '2026-07-01', value: '31500.2' },
    { date: '2026-04-01', value: '.' },
    { date: '2026-01-01', value: '30900.0' },
  ],
};
const FRED_UNKNOWN = { error_code: 400, error_message: 'Bad Request.  The series does not exist.' };
const NEWSAPI_OK = {
  status: 'ok',
  totalResults: 2,
  articles: [
    {
      source: { id: 'reuters', name: 'Reuters' },
      author: 'A. Writer',
      title: 'Apple profit beats forecasts, shares gain',
      description: 'Record services revenue.',
      url: 'https://example.test/a',
      publishedAt: '2026-11-28T14:00:00Z',
      content: '…',
    },
    {
      source: { id: null, name: 'Example Times' },
      author: null,
      title: 'Supplier warns of weak demand',
      description: 'Orders fell sharply.',
      url: 'https://example.test/b',
      publishedAt: '2026-11-27T09:00:00Z',
      content: '…',
    },
  ],
};
const OPENSANCTIONS_MATCH = {
  responses: {
    q: {
      status: 200,
      results: [
        {
          id: 'NK-abc123',
          caption: 'Acme Trading Co.',
          schema: 'Company',
          score: 0.95,
          match: true,
          datasets: ['us_ofac_sdn'],
          properties: { name: ['Acme Trading Co.'], topics: ['sanction'], country: ['kp'] },
        },
        {
          id: 'Q-low',
          caption: 'Acme Bakery',
          schema: 'Company',
          score: 0.41,
          match: false,
          datasets: [],
          properties: {},
        },
      ],
      total: { value: 2 },
    },
  },
};

describe('live data providers against recorded-shape servers', () => {
  it('Finnhub: a live quote, company news, an unknown symbol, a refused key', async (t) => {
    const server = await recordedServer(t, (url) => {
      if (url.pathname === '/api/v1/quote')
        return url.searchParams.get('symbol') === 'NOPE'
          ? { body: { c: 0, d: null, dp: null, h: 0, l: 0, o: 0, pc: 0, t: 0 } }
          : { body: FINNHUB_QUOTE };
      if (url.pathname === '/api/v1/company-news') return { body: FINNHUB_NEWS };
      return { status: 404 };
    });
    const finnhub = createFinnhub({ apiKey: 'k-finnhub', baseUrl: server.url });
    const quote = await finnhub.quote('aapl');
    assert.equal(quote.price, 234.07);
    assert.equal(quote.change_percent, 0.8488);
    assert.equal(quote.as_of, new Date(1764360000 * 1000).toISOString());
    // The key travels in a header, never in the URL.
    assert.equal(server.seen[0]!.headers['x-finnhub-token'], 'k-finnhub');
    assert.doesNotMatch(server.seen[0]!.path, /k-finnhub/);
    await assert.rejects(finnhub.quote('NOPE'), /Finnhub has no quote for "NOPE"/);
    const news = await finnhub.news('AAPL', 5, '2026-11-23', '2026-11-30');
    assert.equal(news[0]!.title, FINNHUB_NEWS[0]!.headline);
    assert.match(server.seen.at(-1)!.path, /symbol=AAPL&from=2026-11-23&to=2026-11-30/);

    const refused = await recordedServer(t, () => ({ status: 401, body: { error: 'Invalid API key' } }));
    await assert.rejects(
      createFinnhub({ apiKey: 'bad', baseUrl: refused.url }).quote('AAPL'),
      /Finnhub refused the API key \(HTTP 401\): check FINNHUB_API_KEY/,
    );
  });

  it('a rate limit is said with its wait, and the provider is not asked again until it passes', async (t) => {
    const server = await recordedServer(t, () => ({
      status: 429,
      headers: { 'retry-after': '120' },
      body: { error: 'API limit reached' },
    }));
    const finnhub = createFinnhub({ apiKey: 'k', baseUrl: server.url });
    await assert.rejects(finnhub.quote('AAPL'), /Finnhub rate limit reached: retry in 1[12]\d s/);
    await assert.rejects(finnhub.quote('MSFT'), /Finnhub rate limit reached: retry in 1[12]\d s/);
    assert.equal(server.seen.length, 1, 'the second call is refused without spending quota');
  });

  it('a provider that does not answer fails the call at its deadline, naming the provider', async (t) => {
    const server = await recordedServer(t, () => ({ hang: true }));
    const fred = createFred({ apiKey: 'k', baseUrl: server.url, timeoutMs: 200 });
    await assert.rejects(
      fred.observations('GDP', 3),
      /FRED is unreachable \(no answer within 0\.2 s\); try again later/,
    );
    // A port nothing listens on: the connection is refused.
    const closed = createCoinGecko({ apiKey: 'k', baseUrl: `http://127.0.0.1:${await freePort()}` });
    await assert.rejects(closed.price('BTC'), /CoinGecko is unreachable \(ECONNREFUSED\)/);
  });

  it('CoinGecko: a live price by ticker; an unknown ticker names the covered ones', async (t) => {
    const server = await recordedServer(t, () => ({ body: COINGECKO_PRICE }));
    const coingecko = createCoinGecko({ apiKey: 'k-cg', baseUrl: server.url });
    const btc = await coingecko.price('btc');
    assert.equal(btc.price_usd, 91234.5);
    assert.equal(btc.change_24h_percent, -1.25);
    assert.match(server.seen[0]!.path, /ids=bitcoin&vs_currencies=usd/);
    assert.equal(server.seen[0]!.headers['x-cg-demo-api-key'], 'k-cg');
    await assert.rejects(
      coingecko.price('NOPECOIN'),
      /no CoinGecko coin for "NOPECOIN"; live crypto covers BTC, ETH/,
    );
  });

  it('FRED: a series with its description, missing values as null; an unknown series said by FRED', async (t) => {
    const server = await recordedServer(t, (url) => {
      if (url.searchParams.get('series_id') === 'NOPE') return { status: 400, body: FRED_UNKNOWN };
      return { body: url.pathname.endsWith('/observations') ? FRED_OBSERVATIONS : FRED_SERIES };
    });
    const fred = createFred({ apiKey: 'k', baseUrl: server.url });
    const gdp = await fred.observations('GDP', 3);
    assert.equal(gdp.title, 'Gross Domestic Product');
    assert.deepEqual(
      gdp.observations.map((o) => o.value),
      [31500.2, null, 30900],
    );
    assert.equal(gdp.source.as_of, '2026-07-01');
    await assert.rejects(
      fred.observations('NOPE', 3),
      /FRED: Bad Request\. {2}The series does not exist\. \(series_id "NOPE"\)/,
    );
  });

  it('NewsAPI: articles; its own error bodies become clear errors', async (t) => {
    const server = await recordedServer(t, (url) => {
      if (url.searchParams.get('q') === 'refused')
        return {
          status: 401,
          body: { status: 'error', code: 'apiKeyInvalid', message: 'Your API key is invalid.' },
        };
      if (url.searchParams.get('q') === 'bad')
        return {
          status: 400,
          body: {
            status: 'error',
            code: 'parameterInvalid',
            message: 'You have requested too many results.',
          },
        };
      return { body: NEWSAPI_OK };
    });
    const newsapi = createNewsApi({ apiKey: 'k-news', baseUrl: server.url });
    const articles = await newsapi.news('apple', 10, '2026-11-23');
    assert.deepEqual(
      articles.map((a) => a.source),
      ['Reuters', 'Example Times'],
    );
    assert.equal(server.seen[0]!.headers['x-api-key'], 'k-news');
    await assert.rejects(newsapi.news('refused', 10, '2026-11-23'), /check NEWS_API_KEY/);
    await assert.rejects(
      newsapi.news('bad', 10, '2026-11-23'),
      /NewsAPI refused the search \(parameterInvalid\): You have requested too many results\./,
    );
  });

  it('OpenSanctions: a match query by schema and name, scored results', async (t) => {
    const server = await recordedServer(t, () => ({ body: OPENSANCTIONS_MATCH }));
    const sanctions = createOpenSanctions({ apiKey: 'k-os', baseUrl: server.url });
    const matches = await sanctions.match({ name: 'Acme Trading', type: 'company', country: 'KP' });
    assert.equal(matches[0]!.score, 0.95);
    assert.deepEqual(matches[0]!.topics, ['sanction']);
    assert.equal(server.seen[0]!.headers.authorization, 'ApiKey k-os');
    assert.deepEqual(JSON.parse(server.seen[0]!.body), {
      queries: { q: { schema: 'Company', properties: { name: ['Acme Trading'], country: ['kp'] } } },
    });
  });
});

describe('the tools on live data, through the hub over MCP', () => {
  it('quote, crypto, news, economic series, sentiment and sanctions screening from the live providers', async (t) => {
    const recorded = await recordedServer(t, (url) => {
      if (url.pathname === '/api/v1/quote') return { body: FINNHUB_QUOTE };
      if (url.pathname === '/api/v3/simple/price') return { body: COINGECKO_PRICE };
      if (url.pathname === '/fred/series') return { body: FRED_SERIES };
      if (url.pathname === '/fred/series/observations') return { body: FRED_OBSERVATIONS };
      if (url.pathname === '/v2/everything') return { body: NEWSAPI_OK };
      if (url.pathname === '/match/default') return { body: OPENSANCTIONS_MATCH };
      return { status: 404 };
    });
    const options = { apiKey: 'k', baseUrl: recorded.url };
    const live: LiveSources = {
      finnhub: createFinnhub(options),
      coingecko: createCoinGecko(options),
      fred: createFred(options),
      newsapi: createNewsApi(options),
      opensanctions: createOpenSanctions(options),
    };
    const hub = await startTestHub(t);
    for (const name of ['market', 'risk'] as const) {
      const spoke = await startSpoke({
        name,
        tools: REFERENCE_SPOKES[name].tools(undefined, live),
        hubUrl: hub.url,
        logger: createSilentLogger(),
      });
      t.after(() => spoke.close());
      await spoke.registration!.registered;
    }
    const { client } = await connectHttp(t, hub.url!);
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content as { text: string }[])[0]!.text;
      assert.notEqual(result.isError, true, `${name}: ${text}`);
      return result.structuredContent as Record<string, any>;
    };
    assert.equal((await call('stock_quote', { symbol: 'AAPL' })).price, 234.07);
    // Indices stay with the daily data.
    assert.equal((await call('stock_quote', { symbol: 'SPX' })).as_of, '2020-04-17');
    assert.equal((await call('crypto_price', { symbol: 'BTC' })).price_usd, 91234.5);
    const news = await call('financial_news', { query: 'apple', limit: 2 });
    assert.equal(news.count, 2);
    assert.equal(news.articles[0].sentiment.label, 'POSITIVE');
    assert.equal(news.articles[1].sentiment.label, 'NEGATIVE');
    assert.equal(
      (await call('economic_indicator', { indicator: 'GDP', limit: 3 })).change_over_period,
      600.2,
    );
    assert.equal(
      (await call('unified_market_data', { query_type: 'crypto_price', symbol: 'BTC' })).coin_id,
      'bitcoin',
    );
    const sentiment = await call('sentiment_analysis', { symbol: 'AAPL' });
    assert.equal(sentiment.basis, '0.7 × news + 0.3 × momentum');
    assert.equal(sentiment.news.articles, 2);
    const screening = await call('risk_check_compliance', {
      check_type: ['entity_screening'],
      entity_name: 'Acme Trading',
      entity_type: 'company',
      jurisdiction: 'KP',
    });
    assert.equal(screening.status, 'REJECT');
    assert.equal(screening.entity_screening.status, 'match');
    assert.deepEqual(
      screening.entity_screening.matches.map((m: { id: string }) => m.id),
      ['NK-abc123'],
      'matches below the 0.7 threshold are left out',
    );
    assert.ok(screening.findings.some((f: string) => /FATF's call-for-action list/.test(f)));
  });
});
