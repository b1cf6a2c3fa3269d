// The dashboard at `/` in a real browser: Debian's chromium driven by playwright-core (.ci/run
// installs chromium when missing). Screenshots of each state go to .cache/screenshots/dashboard/
// (not committed) for a person to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { connectHttp } from '../helpers/mcp-client.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SHOTS = join(ROOT, '.cache', 'screenshots', 'dashboard');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
// The page polls every 3 s; a loaded machine may need a few rounds.
const SEEN = { timeout: 30_000 };

let browser: Browser;
before(async () => {
  assert.ok(CHROMIUM, 'Debian chromium is installed (apt-get install chromium; .ci/run does it)');
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(() => browser?.close());

/** A page that records every console error and uncaught exception. */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

const ECHO = {
  name: 'echo',
  description: 'Echoes the text it is given',
  input_schema: { type: 'object', properties: { text: { type: 'string' } } },
};

describe('the dashboard in a real browser', () => {
  it('loads without console errors, shows a registered spoke, a search, a call made through MCP, and the spoke falling', async (t) => {
    const hub = await startTestHub(t);
    const { page, errors } = await openPage(`${hub.url!}/`);
    await page.waitForSelector('[data-test="no-services"]', SEEN);
    await page.waitForSelector('[data-test="hub-status"].ok', SEEN);

    const spoke = await startTestSpoke(t);
    const registered = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration(
        'dash-1',
        'dashspoke',
        spoke.port,
        [ECHO, { name: 'noop', description: 'Does nothing', input_schema: { type: 'object' } }],
        {
          health_check: { http: `http://127.0.0.1:${spoke.port}/health` },
        },
      ),
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    await page.waitForSelector('[data-instance="dash-1"] .badge.ok[data-test="health"]', SEEN);
    await page.screenshot({ path: join(SHOTS, '1-spoke-registered.png'), fullPage: true });

    // Search by a word of the description: only that tool is left.
    await page.fill('[data-test="tool-search"]', 'echoes');
    await page.waitForSelector('[data-tool="noop"]', { state: 'detached', ...SEEN });
    assert.equal(await page.locator('[data-tool="echo"]').count(), 1);
    await page.screenshot({ path: join(SHOTS, '2-tool-search.png'), fullPage: true });

    // A call through MCP shows up with its correlation id.
    const session = await connectHttp(t, hub.url!);
    const result = await session.client.callTool({
      name: 'echo',
      arguments: { text: 'from the browser test' },
    });
    assert.equal(result.isError, undefined);
    let correlation = '';
    await waitFor(async () => {
      const history = await api(hub, 'GET', '/api/v1/executions?tool=echo');
      correlation = (history.body as { items: { correlation_id: string }[] }).items[0]?.correlation_id ?? '';
      return correlation !== '';
    }, 'the call in the history');
    await page.waitForSelector(`[data-test="correlation"]:text-is("${correlation}")`, SEEN);
    await page.screenshot({ path: join(SHOTS, '3-call-through-mcp.png'), fullPage: true });
    // Filtered by status: no failed call; by tool: the echo call again.
    await page.selectOption('[data-test="status-filter"]', 'error');
    await page.waitForSelector('[data-test="no-executions"]', SEEN);
    await page.selectOption('[data-test="status-filter"]', '');
    await page.fill('[data-test="tool-filter"]', 'echo');
    await page.waitForSelector(`[data-test="correlation"]:text-is("${correlation}")`, SEEN);

    // The spoke stops without deregistering: its health checks fail and the page says so.
    await spoke.close();
    await waitFor(async () => {
      await hub.health.checkNow('dash-1');
      return hub.store.getService('dash-1')?.is_healthy === false;
    }, 'the instance to turn unhealthy');
    await page.waitForSelector('[data-instance="dash-1"] .badge.bad[data-test="health"]', SEEN);
    await page.screenshot({ path: join(SHOTS, '4-spoke-unhealthy.png'), fullPage: true });

    assert.deepEqual(errors, [], 'no console error');
  });

  it('asks once for an API key when the hub requires one, keeps it out of every URL, and says when it is wrong', async (t) => {
    const key = 'dashboard-reader-key-0123456789';
    const hub = await startTestHub(t, {
      auth: { keys: [{ name: 'reader', key, scopes: ['registry:read'] }] },
    });
    const { page, errors } = await openPage(`${hub.url!}/`);
    await page.waitForSelector('[data-test="key-form"]', SEEN);
    await page.screenshot({ path: join(SHOTS, '5-key-asked.png'), fullPage: true });

    await page.fill('[data-test="key-input"]', 'not-the-key-at-all-0000');
    await page.click('[data-test="key-submit"]');
    await page.waitForSelector('[data-test="wrong-key"]', SEEN);

    await page.fill('[data-test="key-input"]', key);
    await page.click('[data-test="key-submit"]');
    await page.waitForSelector('[data-test="no-services"]', SEEN);
    // Entered once: a reload goes straight to the data.
    await page.reload();
    await page.waitForSelector('[data-test="no-services"]', SEEN);
    assert.equal(await page.locator('[data-test="key-form"]').count(), 0);
    assert.ok(!page.url().includes(key), page.url());
    // The refused key's 401s are the only console errors the browser reports (failed fetches).
    assert.ok(
      errors.every((e) => /401|403/.test(e)),
      errors.join('\n'),
    );
  });
});
