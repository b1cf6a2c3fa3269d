// GET /api/v1/tools?q=…: the catalogue searched by words (MiniSearch, BM25), best first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, registration, startTestHub } from '../helpers/test-hub.js';

const tool = (name: string, description: string, extra: Record<string, unknown> = {}) => ({
  name,
  description,
  input_schema: { type: 'object' },
  ...extra,
});

describe('catalogue search (GET /tools?q=)', () => {
  it('ranks by name, description, category and tag, matches every word, follows the catalogue and keeps the filters', async (t) => {
    const hub = await startTestHub(t);
    const names = (body: unknown) => (body as { items: { name: string }[] }).items.map((i) => i.name);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('risk-1', 'risk', 9101, [
        tool('risk_calculate_var', 'Value at Risk of a position: historical, parametric, Monte Carlo', {
          category: 'risk',
          tags: ['var'],
        }),
        tool('risk_stress_test', 'Replays historical crashes on a portfolio', { category: 'risk' }),
      ]),
    );
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('market-1', 'market', 9102, [
        tool('stock_quote', 'Latest price of an equity', { category: 'market', tags: ['quote'] }),
      ]),
    );

    // A word of a name (split at underscores) and of a description.
    let found = await api(hub, 'GET', '/api/v1/tools?q=stress');
    assert.deepEqual(names(found.body), ['risk_stress_test']);
    found = await api(hub, 'GET', '/api/v1/tools?q=monte%20carlo');
    assert.deepEqual(names(found.body), ['risk_calculate_var']);
    // Several matches: the one naming the word ranks first; every word must match.
    found = await api(hub, 'GET', '/api/v1/tools?q=historical');
    assert.deepEqual(names(found.body).sort(), ['risk_calculate_var', 'risk_stress_test']);
    found = await api(hub, 'GET', '/api/v1/tools?q=historical%20crashes');
    assert.deepEqual(names(found.body), ['risk_stress_test']);
    found = await api(hub, 'GET', '/api/v1/tools?q=var');
    assert.equal(names(found.body)[0], 'risk_calculate_var');
    assert.equal(typeof (found.body as { items: { score: number }[] }).items[0]!.score, 'number');
    // Prefixes and small typos.
    assert.deepEqual(names((await api(hub, 'GET', '/api/v1/tools?q=equit')).body), ['stock_quote']);
    assert.deepEqual(names((await api(hub, 'GET', '/api/v1/tools?q=portfolo')).body), ['risk_stress_test']);
    // Filters still apply; nothing found is an empty page, not an error.
    found = await api(hub, 'GET', '/api/v1/tools?q=historical&category=market');
    assert.deepEqual(names(found.body), []);
    assert.equal(found.status, 200);

    // The index follows the catalogue: a new registration is found, a removed one is not.
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('news-1', 'news', 9103, [tool('financial_news', 'Headlines about a company')]),
    );
    assert.deepEqual(names((await api(hub, 'GET', '/api/v1/tools?q=headlines')).body), ['financial_news']);
    await api(hub, 'POST', '/api/v1/services/market-1/deregister');
    assert.deepEqual(names((await api(hub, 'GET', '/api/v1/tools?q=equity')).body), []);
    // A query over the limit is a clear 400.
    const tooLong = await api(hub, 'GET', `/api/v1/tools?q=${'x'.repeat(300)}`);
    assert.equal(tooLong.status, 400);
  });
});
