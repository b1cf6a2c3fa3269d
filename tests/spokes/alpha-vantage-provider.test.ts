import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createAlphaVantageProvider } from '../../src/spokes/data/alpha-vantage-provider.js';
import { createOfflineProvider } from '../../src/spokes/data/offline-provider.js';
import { stockQuote } from '../../src/spokes/market/stock-quote.js';
import { freePort } from '../helpers/free-port.js';

/** A real HTTP server answering like Alpha Vantage's TIME_SERIES_DAILY. */
async function fakeAlphaVantage(t: TestContext, behaviour: 'ok' | 'limit' | 'hang') {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.searchParams.get('symbol')}:${url.searchParams.get('apikey')}`);
    if (behaviour === 'hang') return;
    res.setHeader('content-type', 'application/json');
    if (behaviour === 'limit') return void res.end(JSON.stringify({ Note: 'API call frequency exceeded' }));
    if (url.searchParams.get('symbol') === 'NOPE')
      return void res.end(JSON.stringify({ 'Error Message': 'Invalid API call.' }));
    res.end(
      JSON.stringify({
        'Meta Data': {},
        'Time Series (Daily)': {
          '2026-11-24': {
            '1. open': '101',
            '2. high': '103',
            '3. low': '100',
            '4. close': '102',
            '5. volume': '1000',
          },
          '2026-11-23': {
            '1. open': '99',
            '2. high': '101',
            '3. low': '98',
            '4. close': '100',
            '5. volume': '900',
          },
        },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('Alpha Vantage provider (live data behind an API key)', () => {
  const fallback = createOfflineProvider();

  it('serves live daily bars, oldest first, labelled with their source and as-of date', async (t) => {
    const av = await fakeAlphaVantage(t, 'ok');
    const provider = createAlphaVantageProvider({ apiKey: 'demo-key', baseUrl: av.url, fallback });
    const series = await provider.daily('ibm');
    assert.deepEqual(
      series.bars.map((b) => b.close),
      [100, 102],
    );
    assert.equal(series.source.as_of, '2026-11-24');
    assert.match(series.source.provider, /Alpha Vantage/);
    assert.deepEqual(av.seen, ['IBM:demo-key']);
    await provider.daily('IBM');
    assert.equal(av.seen.length, 1, 'cached');
    assert.equal(
      (await provider.daily('SPX')).source.kind,
      'real',
      'the index still comes from the offline data',
    );
    const quote = await stockQuote(provider).handler({ symbol: 'IBM' } as never, {} as never);
    assert.match((quote.content[0] as { text: string }).text, /Alpha Vantage/);
  });

  it('turns an unknown symbol, a rate limit, a timeout and an unreachable service into clear errors', async (t) => {
    const ok = await fakeAlphaVantage(t, 'ok');
    await assert.rejects(
      createAlphaVantageProvider({ apiKey: 'k', baseUrl: ok.url, fallback }).daily('NOPE'),
      /unknown symbol "NOPE".*symbol_search/,
    );
    const limited = await fakeAlphaVantage(t, 'limit');
    await assert.rejects(
      createAlphaVantageProvider({ apiKey: 'k', baseUrl: limited.url, fallback }).daily('IBM'),
      /refused the request: API call frequency/,
    );
    const hanging = await fakeAlphaVantage(t, 'hang');
    await assert.rejects(
      createAlphaVantageProvider({ apiKey: 'k', baseUrl: hanging.url, fallback, timeoutMs: 300 }).daily(
        'IBM',
      ),
      /unreachable \(timed out\)/,
    );
    const down = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      createAlphaVantageProvider({ apiKey: 'k', baseUrl: down, fallback }).daily('IBM'),
      /unreachable \(ECONNREFUSED\).*offline data/,
    );
  });
});
