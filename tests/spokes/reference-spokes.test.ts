import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSilentLogger } from '../../src/logger.js';
import { startSpoke } from '../../src/spoke/create-spoke.js';
import { REFERENCE_SPOKES, type ReferenceSpokeName } from '../../src/spokes/reference-spokes.js';
import { connectHttp, listAllTools } from '../helpers/mcp-client.js';
import { startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

/** One valid call per tool: every tool of the three spokes must answer it successfully through the hub. */
const SAMPLE_CALLS: Record<string, Record<string, unknown>> = {
  stock_quote: { symbol: 'AAPL' },
  price_history: { symbol: 'SPX', interval: 'weekly', limit: 10 },
  technical_analysis: { symbol: 'SPX' },
  stock_comparison: { symbols: ['AAPL', 'MSFT', 'SPX'], period: 120 },
  market_overview: {},
  crypto_price: { symbol: 'BTC' },
  symbol_search: { query: 'apple' },
  data_status: {},
  pattern_recognition: { symbol: 'SPX', period: 120 },
  anomaly_detection: { symbol: 'AAPL', period: 250, sensitivity: 'high' },
  risk_calculate_var: { symbol: 'SPX', confidence_level: 0.99, time_horizon: 5, portfolio_value: 1_000_000 },
  risk_calculate_metrics: { symbol: 'AAPL', period: 500 },
  risk_analyze_portfolio: {
    portfolio: [
      { symbol: 'AAPL', weight: 0.5 },
      { symbol: 'MSFT', weight: 0.3 },
      { symbol: 'JNJ', weight: 0.2 },
    ],
  },
  risk_stress_test: {
    portfolio: [
      { symbol: 'MSFT', weight: 0.6 },
      { symbol: 'JNJ', weight: 0.4 },
    ],
  },
  risk_analyze_tail_risk: { symbol: 'SPX', period: 2000 },
  risk_calculate_greeks: { spot: 100, strike: 100, expiry_days: 365, volatility: 0.2, risk_free_rate: 0.05 },
  portfolio_optimize: { symbols: ['AAPL', 'MSFT', 'JNJ', 'XOM'], objective: 'max_sharpe', max_weight: 0.6 },
  portfolio_efficient_frontier: { symbols: ['AAPL', 'MSFT', 'JNJ'], points: 5 },
  portfolio_rebalance: {
    positions: [
      { symbol: 'AAPL', shares: 100, price: 180 },
      { symbol: 'MSFT', shares: 10, price: 100 },
    ],
    target_weights: { AAPL: 0.6, MSFT: 0.4 },
  },
  portfolio_analyze_performance: {
    holdings: [
      { symbol: 'AAPL', shares: 10 },
      { symbol: 'MSFT', shares: 20 },
    ],
  },
  portfolio_backtest: {
    symbols: ['MSFT', 'JNJ', 'XOM', 'KO'],
    strategy: 'momentum',
    top_n: 2,
    start_date: '2012-01-01',
    end_date: '2016-12-31',
  },
  portfolio_allocate: { weights: { AAPL: 0.5, MSFT: 0.5 }, budget: 10_000 },
  unified_market_data: { query_type: 'economic', indicator: 'NFP', limit: 3 },
  economic_indicator: { indicator: 'PAYEMS', limit: 12 },
  sentiment_analysis: { symbol: 'AAPL' },
  alert_system: { symbol: 'SPX', thresholds: { price_above: 2800 } },
  risk_check_compliance: {
    portfolio: [
      { symbol: 'AAPL', weight: 0.5 },
      { symbol: 'MSFT', weight: 0.5 },
    ],
  },
  risk_generate_dashboard: { symbol: 'SPX', period: 500 },
  portfolio_analyze_factors: { positions: { AAPL: 0.6, MSFT: 0.4 }, period: 250 },
  portfolio_optimize_taxes: {
    lots: [{ symbol: 'AAPL', shares: 10, cost_basis: 200, purchase_date: '2018-01-02' }],
    current_date: '2018-05-01',
  },
  portfolio_generate_dashboard: {
    positions: [
      { symbol: 'AAPL', shares: 10 },
      { symbol: 'MSFT', shares: 20 },
    ],
  },
};

/** Tools whose live data needs a key: without one, each says which variable to set. */
const NEEDS_A_KEY: [string, Record<string, unknown>, RegExp][] = [
  ['financial_news', { query: 'apple' }, /set NEWS_API_KEY \(NewsAPI\) or FINNHUB_API_KEY/],
  ['economic_indicator', { indicator: 'GDP' }, /economic_indicator GDP .*set FRED_API_KEY/],
  ['unified_market_data', { query_type: 'news', query: 'rates' }, /set NEWS_API_KEY/],
  [
    'risk_check_compliance',
    { check_type: ['entity_screening'], entity_name: 'Acme Trading' },
    /entity_screening needs live data: set OPENSANCTIONS_API_KEY/,
  ],
];

/** Calls that must come back as clear tool errors. */
const BAD_CALLS: [string, Record<string, unknown>, RegExp][] = [
  ['pattern_recognition', { symbol: 'SPX', prices: Array(30).fill(1) }, /exactly one of symbol or prices/],
  ['pattern_recognition', { prices: [1, 2, 3] }, /prices/],
  ['pattern_recognition', { symbol: 'SPX', patterns: ['cup_and_handle'] }, /patterns/],
  ['anomaly_detection', { symbol: 'NOPE' }, /unknown symbol "NOPE"/],
  ['anomaly_detection', { symbol: 'SPX', sensitivity: 'extreme' }, /sensitivity/],
  ['stock_quote', { symbol: 'NOPE' }, /unknown symbol "NOPE".*symbol_search/],
  ['risk_calculate_var', { returns: [] }, /returns/],
  [
    'risk_calculate_var',
    { symbol: 'SPX', returns: [0.01, 0.02] },
    /exactly one of symbol, prices or returns/,
  ],
  [
    'risk_calculate_metrics',
    { returns: Array(30).fill(0.001), benchmark_returns: Array(29).fill(0.001) },
    /must match/,
  ],
  [
    'risk_analyze_portfolio',
    {
      portfolio: [
        { symbol: 'AAPL', weight: 0.5 },
        { symbol: 'MSFT', weight: 0.6 },
      ],
    },
    /sum to 1/,
  ],
  ['portfolio_allocate', { weights: { AAPL: 0.7, MSFT: 0.2 }, budget: 1000 }, /sum to 1/],
  ['portfolio_optimize', { symbols: ['AAPL', 'MSFT'], objective: 'target_return' }, /needs target_return/],
  ['crypto_price', { symbol: 'AAPL' }, /not a crypto asset/],
  ['unified_market_data', { query_type: 'stock_quote' }, /query_type stock_quote needs symbol/],
  ['unified_market_data', { query_type: 'weather' }, /query_type/],
  ['economic_indicator', { indicator: 'GDP; DROP' }, /indicator must match pattern/],
  ['sentiment_analysis', { symbol: 'NOPE' }, /unknown symbol "NOPE"/],
  ['alert_system', { symbol: 'SPX', alert_type: ['price_target'] }, /price_target needs thresholds/],
  ['alert_system', { symbol: 'SPX', thresholds: { percent_change: -1 } }, /percent_change/],
  ['risk_check_compliance', {}, /give entity_name, portfolio, or both/],
  ['risk_check_compliance', { jurisdiction: 'USA', entity_name: 'Acme' }, /jurisdiction must match pattern/],
  ['risk_check_compliance', { portfolio: [{ symbol: 'AAPL', weight: 0.4 }] }, /sum to 1/],
  [
    'risk_generate_dashboard',
    { symbol: 'SPX', portfolio: [{ symbol: 'SPX', weight: 1 }] },
    /exactly one of symbol or portfolio/,
  ],
  ['risk_generate_dashboard', {}, /exactly one of symbol or portfolio/],
  ['portfolio_analyze_factors', { positions: { AAPL: 0.5 } }, /sum to 1/],
  ['portfolio_analyze_factors', { positions: { AAPL: 1 }, factors: ['size'] }, /factors/],
  [
    'portfolio_optimize_taxes',
    {
      lots: [{ symbol: 'AAPL', shares: 1, cost_basis: 10, purchase_date: '2018-06-01' }],
      current_date: '2018-05-01',
    },
    /bought after current_date 2018-05-01/,
  ],
  [
    'portfolio_optimize_taxes',
    {
      lots: [{ symbol: 'AAPL', shares: 1, cost_basis: 10, purchase_date: '2018-01-02' }],
      current_date: '2018-05-01',
      sell: { symbol: 'AAPL', shares: 5 },
    },
    /more than the 1 AAPL shares/,
  ],
  ['portfolio_optimize_taxes', { lots: [] }, /lots/],
  [
    'portfolio_generate_dashboard',
    { positions: [{ symbol: 'AAPL', shares: 1 }], target_weights: { AAPL: 0.5 } },
    /target_weights sum to 0.5/,
  ],
  ...NEEDS_A_KEY,
];

describe('the three reference spokes behind the hub', () => {
  it('register over HTTP, list every tool, answer a call to each with its data source, and give clear errors', async (t) => {
    const hub = await startTestHub(t);
    for (const name of Object.keys(REFERENCE_SPOKES) as ReferenceSpokeName[]) {
      const spoke = await startSpoke({
        name,
        tools: REFERENCE_SPOKES[name].tools(),
        hubUrl: hub.url,
        logger: createSilentLogger(),
      });
      t.after(() => spoke.close());
      await spoke.registration!.registered;
    }
    const { client } = await connectHttp(t, hub.url!);
    // Every spoke tool, beside the hub's own (hub_*).
    const names = (await listAllTools(client)).filter((name) => !name.startsWith('hub_'));
    // financial_news has no offline data: its valid call is in live-providers.test.ts, with keys.
    assert.deepEqual(
      [...names].sort(),
      [...new Set([...Object.keys(SAMPLE_CALLS), ...NEEDS_A_KEY.map(([tool]) => tool)])].sort(),
    );
    for (const [tool, args] of Object.entries(SAMPLE_CALLS)) {
      const result = await client.callTool({ name: tool, arguments: args });
      const text = (result.content as { text: string }[])[0]!.text;
      assert.notEqual(result.isError, true, `${tool}: ${text}`);
      assert.ok(result.structuredContent, `${tool} returns structured content`);
      if (!['symbol_search', 'portfolio_rebalance'].includes(tool))
        assert.match(text, /source|provider/, `${tool} names its data source`);
    }
    for (const [tool, args, message] of BAD_CALLS) {
      const result = await client.callTool({ name: tool, arguments: args });
      assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)} should fail`);
      assert.match((result.content as { text: string }[])[0]!.text, message);
    }
  });

  it('label synthetic data and anchor defaults to the data, not the wall clock', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startSpoke({
      name: 'market',
      tools: REFERENCE_SPOKES.market.tools(),
      hubUrl: hub.url,
      logger: createSilentLogger(),
    });
    t.after(() => spoke.close());
    await spoke.registration!.registered;
    await waitFor(() => Boolean(hub.routing.getTool('stock_quote')), 'market tools');
    const { client } = await connectHttp(t, hub.url!);
    const msftResult = await client.callTool({ name: 'stock_quote', arguments: { symbol: 'MSFT' } });
    const msft = msftResult.structuredContent as { source: { kind: string }; as_of: string };
    assert.equal(msft.source.kind, 'synthetic');
    // Said in the first line a model reads, not only in a nested field.
    const firstLine = (msftResult.content as { text: string }[])[0]!.text.split('\n')[0]!;
    assert.equal(
      firstLine,
      'SYNTHETIC DATA: built on synthetic series for MSFT (a seeded model on real S&P 500 returns), not market data.',
    );
    // A comparison of a real and a synthetic series names the synthetic one only.
    const mixed = await client.callTool({
      name: 'stock_comparison',
      arguments: { symbols: ['SPX', 'MSFT'] },
    });
    assert.match(
      (mixed.content as { text: string }[])[0]!.text,
      /^SYNTHETIC DATA: built on synthetic series for MSFT \(/,
    );
    const spxResult = await client.callTool({ name: 'stock_quote', arguments: { symbol: 'SPX' } });
    const spx = spxResult.structuredContent as { source: { kind: string }; as_of: string; close: number };
    assert.equal(spx.source.kind, 'real');
    assert.doesNotMatch((spxResult.content as { text: string }[])[0]!.text, /SYNTHETIC/);
    assert.equal(spx.as_of, '2020-04-17');
    assert.equal(spx.close, 2874.5601);
  });
});
