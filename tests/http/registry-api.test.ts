import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_DB } from '../helpers/test-database.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

describe(`registry API on the ${TEST_DB} database`, () => {
  it('registers a service, finds it by id, name and tag, and lists its tools', async (t) => {
    const hub = await startTestHub(t);
    const body = registration('quotes-1', 'quotes', 9101, ['stock_quote', 'price_history'], {
      tags: ['market', 'eu'],
      weight: 2,
    });
    const created = await api(hub, 'POST', '/api/v1/services/register', body);
    assert.equal(created.status, 200);
    assert.equal(created.body.service_id, 'quotes-1');
    assert.equal(created.body.breaker_state, 'closed');
    assert.equal(created.body.tools.length, 2);

    const one = await api(hub, 'GET', '/api/v1/services/quotes-1');
    assert.equal(one.status, 200);
    assert.equal(one.body.weight, 2);
    assert.deepEqual(one.body.tools.map((x: { name: string }) => x.name).sort(), [
      'price_history',
      'stock_quote',
    ]);

    const listed = (await api(hub, 'GET', '/api/v1/services?name=quotes')).body.items;
    assert.equal(listed.length, 1);
    // A listed instance is the detail without its tools: every column (bar the sealed credentials)
    // and the engine's view of it, none left out.
    const { tools: _tools, ...detailWithoutTools } = one.body;
    assert.deepEqual(listed[0], detailWithoutTools);
    assert.equal(listed[0].upstream_credentials, false);
    assert.equal('upstream_headers_sealed' in listed[0], false);
    const row = await hub.database.db
      .selectFrom('services')
      .selectAll()
      .where('service_id', '=', 'quotes-1')
      .executeTakeFirstOrThrow();
    const columns = Object.keys(row).filter((k) => k !== 'upstream_headers_sealed');
    for (const column of columns) assert.ok(column in listed[0], `the list shows ${column}`);
    assert.equal((await api(hub, 'GET', '/api/v1/services?tag=eu')).body.items.length, 1);
    assert.equal((await api(hub, 'GET', '/api/v1/services?tag=asia')).body.items.length, 0);
    assert.equal((await api(hub, 'GET', '/api/v1/services?healthy=true&active=true')).body.items.length, 1);

    const tools = await api(hub, 'GET', '/api/v1/tools');
    assert.deepEqual(
      tools.body.items.map((x: { name: string }) => x.name),
      ['price_history', 'stock_quote'],
    );
    const tool = await api(hub, 'GET', '/api/v1/tools/stock_quote');
    assert.equal(tool.status, 200);
    assert.deepEqual(tool.body.instances, ['quotes-1']);
    assert.equal(tool.body.total_executions, 0);
    assert.equal(hub.routing.getTool('stock_quote')?.serviceName, 'quotes');
  });

  it('turns 10 concurrent identical registrations into one row, all 2xx', async (t) => {
    const hub = await startTestHub(t);
    const body = registration('dup-1', 'dup', 9102, ['a', 'b', 'c']);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api(hub, 'POST', '/api/v1/services/register', body)),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(10).fill(200),
    );
    const page = await api(hub, 'GET', '/api/v1/services?name=dup');
    assert.equal(page.body.items.length, 1);
    const tools = await api(hub, 'GET', '/api/v1/tools?service=dup');
    assert.equal(tools.body.items.length, 3);
  });

  it('removes the tools a re-registration no longer lists', async (t) => {
    const hub = await startTestHub(t);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('shrink-1', 'shrink', 9103, ['x', 'y', 'z']),
    );
    const again = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('shrink-1', 'shrink', 9103, ['x']),
    );
    assert.equal(again.status, 200);
    assert.deepEqual(
      again.body.tools.map((x: { name: string }) => x.name),
      ['x'],
    );
    assert.equal((await api(hub, 'GET', '/api/v1/tools/y')).status, 404);
    assert.equal(hub.routing.getTool('y'), undefined);
  });

  it('answers 409 naming both owners when another service_name offers the same tool, unless it uses a prefix', async (t) => {
    const hub = await startTestHub(t);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('owner-1', 'owner', 9104, ['shared_tool']),
    );
    const clash = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('intruder-1', 'intruder', 9105, ['shared_tool']),
    );
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, 'tool_name_conflict');
    assert.match(clash.body.error.message, /owner/);
    assert.match(clash.body.error.message, /intruder/);
    assert.equal(clash.body.error.details.conflicts[0].owner, 'owner');
    const prefixed = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('intruder-1', 'intruder', 9105, ['shared_tool'], { tool_prefix: 'alt' }),
    );
    assert.equal(prefixed.status, 200);
    assert.equal(prefixed.body.tools[0].name, 'alt_shared_tool');
    // Replicas (same service_name) share tools without conflict.
    const replica = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('owner-2', 'owner', 9106, ['shared_tool']),
    );
    assert.equal(replica.status, 200);
    assert.deepEqual((await api(hub, 'GET', '/api/v1/tools/shared_tool')).body.instances.sort(), [
      'owner-1',
      'owner-2',
    ]);
  });

  it('pages services with keyset cursors, each exactly once', async (t) => {
    const hub = await startTestHub(t);
    for (let i = 0; i < 23; i++) {
      await api(
        hub,
        'POST',
        '/api/v1/services/register',
        registration(`page-${String(i).padStart(2, '0')}`, 'paged', 9200 + i, ['paged_tool']),
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { service_id: string }[]; next_cursor: string | null } } = await api(
        hub,
        'GET',
        `/api/v1/services?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.items.map((s) => s.service_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    assert.equal(seen.length, 23);
    assert.equal(new Set(seen).size, 23);
    assert.deepEqual(seen, [...seen].sort());
  });

  it('heartbeats an active instance, answers 404 to an unknown one, and deregistration takes it out', async (t) => {
    const hub = await startTestHub(t);
    await api(hub, 'POST', '/api/v1/services/register', registration('beat-1', 'beat', 9107, ['beat_tool']));
    const beat = await api(hub, 'PUT', '/api/v1/services/beat-1/heartbeat');
    assert.equal(beat.status, 200);
    assert.equal(beat.body.service_id, 'beat-1');
    assert.equal((await api(hub, 'PUT', '/api/v1/services/nobody/heartbeat')).status, 404);
    const gone = await api(hub, 'POST', '/api/v1/services/beat-1/deregister');
    assert.equal(gone.status, 200);
    assert.equal(gone.body.is_active, false);
    assert.equal(hub.routing.getTool('beat_tool'), undefined);
    assert.equal(
      (await api(hub, 'PUT', '/api/v1/services/beat-1/heartbeat')).status,
      404,
      'a deregistered spoke must register again',
    );
    assert.equal((await api(hub, 'GET', '/api/v1/services?active=false')).body.items.length, 1);
  });

  it('shows each change of an instance in lists and lookups read before it (no stale view)', async (t) => {
    const hub = await startTestHub(t);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('fresh-1', 'fresh', 9108, ['fresh_tool']),
    );
    const listed = async () =>
      (await api(hub, 'GET', '/api/v1/services?name=fresh')).body.items as Record<string, unknown>[];
    const [first] = await listed();
    const firstDetail = (await api(hub, 'GET', '/api/v1/services/fresh-1')).body;
    // last_seen has millisecond resolution: wait until a heartbeat can move it.
    await waitFor(() => Date.now() > Date.parse(String(first!.last_seen)), 'the clock to move');
    await api(hub, 'PUT', '/api/v1/services/fresh-1/heartbeat');
    const [beaten] = await listed();
    assert.ok(Date.parse(String(beaten!.last_seen)) > Date.parse(String(first!.last_seen)));
    const detail = (await api(hub, 'GET', '/api/v1/services/fresh-1')).body;
    assert.equal(detail.last_seen, beaten!.last_seen);
    assert.notEqual(detail.last_seen, firstDetail.last_seen);
    await api(hub, 'POST', '/api/v1/services/fresh-1/deregister');
    assert.equal((await api(hub, 'GET', '/api/v1/services/fresh-1')).body.is_active, false);
    assert.equal(
      (await api(hub, 'GET', '/api/v1/services?active=false&name=fresh')).body.items[0].is_active,
      false,
    );
  });

  it('refuses registrations past the configured maximum with 429', async (t) => {
    const hub = await startTestHub(t, { rateLimit: { maxInstances: 2 } });
    for (const id of ['m1', 'm2'])
      assert.equal(
        (await api(hub, 'POST', '/api/v1/services/register', registration(id, 'max', 9300, ['max_tool'])))
          .status,
        200,
      );
    const third = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('m3', 'max', 9300, ['max_tool']),
    );
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'registry_full');
    assert.ok(third.headers.get('retry-after'));
    // Updating an existing instance is still allowed.
    assert.equal(
      (await api(hub, 'POST', '/api/v1/services/register', registration('m1', 'max', 9301, ['max_tool'])))
        .status,
      200,
    );
  });

  it('discovers the tools of a registration that gives an mcp_url and no tools', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const res = await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'discover-1',
      service_name: 'discovered',
      address: '127.0.0.1',
      port: spoke.port,
      mcp_url: spoke.mcpUrl,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.tools.map((x: { name: string }) => x.name).sort(), [
      'add',
      'broken',
      'echo',
      'hold',
      'slow',
      'write',
    ]);
    const echo = hub.routing.getTool('echo');
    assert.equal(echo?.serviceName, 'discovered');
    assert.deepEqual(echo?.definition.annotations, { readOnlyHint: true });
    const call = await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: 'found' } });
    assert.deepEqual(call.body.result.structuredContent, { text: 'found' });
  });

  it('restores the snapshot from the database when a hub starts', async (t) => {
    const hub = await startTestHub(t);
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('persist-1', 'persist', 9108, ['persist_tool']),
    );
    const reloaded = await hub.registry.load();
    assert.equal(reloaded, 1);
    assert.equal(hub.routing.getTool('persist_tool')?.serviceName, 'persist');
  });

  it('answers lookups from memory exactly as a hub loading the same database answers them', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startTestSpoke(t);
    const quiet = { health_check: { interval: 3600 } };
    const echo = { name: 'echo', input_schema: { type: 'object', properties: { text: { type: 'string' } } } };
    // Two replicas of one service, another service, one deregistered, one re-registered with fewer tools.
    for (const [id, name, tools] of [
      ['echo-a', 'echoes', [echo, 'spare']],
      ['echo-b', 'echoes', [echo, 'spare']],
      ['other-1', 'other', ['other_tool', 'gone_tool']],
      ['old-1', 'old', ['old_tool']],
    ] as const) {
      const body = registration(id, name, spoke.port, [...tools], { tags: [name], ...quiet });
      assert.equal((await api(hub, 'POST', '/api/v1/services/register', body)).status, 200);
    }
    await api(hub, 'POST', '/api/v1/services/old-1/deregister');
    await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('other-1', 'other', spoke.port, ['other_tool'], quiet),
    );
    await api(hub, 'PUT', '/api/v1/services/echo-a/heartbeat');
    for (let i = 0; i < 5; i++)
      await api(hub, 'POST', '/api/v1/tools/echo/execute', { arguments: { text: `call ${i}` } });
    await waitFor(
      async () => (await api(hub, 'GET', '/api/v1/tools/echo')).body.total_executions === 5,
      'statistics of five calls in memory',
    );
    const second = await startTestHub(t, { dbSchema: hub.config.dbSchema });
    const paths = [
      '/api/v1/services?limit=500',
      '/api/v1/services?limit=2',
      '/api/v1/services?active=false',
      '/api/v1/services?tag=echoes&healthy=true',
      '/api/v1/services/echo-a',
      '/api/v1/services/old-1',
      '/api/v1/tools?limit=500',
      '/api/v1/tools?service=echoes',
      '/api/v1/tools?limit=1',
      '/api/v1/tools/echo',
      '/api/v1/tools/old_tool',
      '/api/v1/tools/gone_tool',
    ];
    // What only the running engine knows (load, breaker, queue) is left out of the comparison.
    const stable = (body: unknown) =>
      JSON.parse(JSON.stringify(body), (key, value) =>
        ['current_load', 'breaker_state', 'queued'].includes(key) ? undefined : value,
      );
    for (const path of paths) {
      const [fromMemory, fromLoad] = [await api(hub, 'GET', path), await api(second, 'GET', path)];
      assert.equal(fromMemory.status, fromLoad.status, path);
      assert.deepEqual(stable(fromMemory.body), stable(fromLoad.body), path);
    }
    const echoTool = (await api(hub, 'GET', '/api/v1/tools/echo')).body;
    assert.deepEqual(echoTool.instances.sort(), ['echo-a', 'echo-b']);
    assert.equal(echoTool.successful_executions, 5);
    assert.equal((await api(hub, 'GET', '/api/v1/tools/old_tool')).status, 404);
    assert.equal((await api(hub, 'GET', '/api/v1/tools/gone_tool')).status, 404);
    const old = (await api(hub, 'GET', '/api/v1/services/old-1')).body;
    assert.equal(old.is_active, false);
    assert.deepEqual(
      old.tools.map((tool: { name: string }) => tool.name),
      ['old_tool'],
    );
  });
});
