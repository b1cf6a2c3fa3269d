import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startModernConformanceSpoke } from '../fixtures/modern-conformance-spoke.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { connectModernHttp } from '../helpers/modern-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

describe(`prompts, resources and completion of a registered server, on the ${TEST_DB} database`, () => {
  it('lists, gets, reads and completes server-everything’s through the hub, in either era', async (t) => {
    const hub = await startTestHub(t);
    const server = await startEverythingServer(t);
    const registered = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      server.registration('everything-1'),
    );
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const legacy = (await connectHttp(t, hub.url!)).client;
    const modern = (await connectModernHttp(t, hub.url!, { listen: false })).client;
    for (const client of [legacy, modern]) {
      // Prompts carry the service's namespace, like its tools.
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
      assert.ok(prompts.includes('ev__simple-prompt'), JSON.stringify(prompts));
      const got = await client.getPrompt({ name: 'ev__simple-prompt' });
      assert.ok(got.messages.length > 0);

      const resources = (await client.listResources()).resources;
      assert.ok(resources.length > 0);
      const uri = resources[0]!.uri;
      const read = await client.readResource({ uri });
      assert.equal(read.contents[0]!.uri, uri);
      const templates = (await client.listResourceTemplates()).resourceTemplates;
      assert.ok(templates.length > 0);
      // A URI no list names is routed by the template it fits.
      const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' });
      assert.equal(dynamic.contents[0]!.uri, 'demo://resource/dynamic/text/7');

      const completed = await client.complete({
        ref: { type: 'ref/prompt', name: 'ev__completable-prompt' },
        argument: { name: 'department', value: 'Eng' },
      });
      assert.ok(completed.completion.values.includes('Engineering'), JSON.stringify(completed));

      await assert.rejects(client.getPrompt({ name: 'no-such-prompt' }), /Unknown prompt/);
    }
  });

  it('relays a subscribed resource’s updates to the session that subscribed, and only to it', async (t) => {
    const hub = await startTestHub(t);
    const server = await startEverythingServer(t);
    await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'everything-2',
      service_name: 'everything',
      address: '127.0.0.1',
      port: server.port,
      mcp_url: server.mcpUrl,
    });
    const subscriber = (await connectHttp(t, hub.url!)).client;
    const bystander = (await connectHttp(t, hub.url!)).client;
    const heard = { subscriber: [] as string[], bystander: [] as string[] };
    subscriber.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void heard.subscriber.push(n.params.uri),
    );
    bystander.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void heard.bystander.push(n.params.uri),
    );
    const uri = (await subscriber.listResources()).resources[0]!.uri;
    assert.deepEqual(await subscriber.subscribeResource({ uri }), {});
    // server-everything sends updates for subscribed resources once this tool turns them on.
    await subscriber.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await waitFor(() => heard.subscriber.includes(uri), 'the subscriber to hear the update');
    assert.deepEqual(heard.bystander, []);
    assert.deepEqual(await subscriber.unsubscribeResource({ uri }), {});
  });

  it('delivers a resource’s updates on a 2026-07-28 subscriptions/listen stream that names it', async (t) => {
    const hub = await startTestHub(t);
    const server = await startEverythingServer(t);
    await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'everything-3',
      service_name: 'everything',
      address: '127.0.0.1',
      port: server.port,
      mcp_url: server.mcpUrl,
    });
    const { client } = await connectModernHttp(t, hub.url!, { listen: false });
    const heard: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void heard.push(n.params.uri));
    const uri = (await client.listResources()).resources[0]!.uri;
    const stream = await client.listen({ resourceSubscriptions: [uri] });
    t.after(() => stream.close());
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await waitFor(() => heard.includes(uri), 'the listen stream to carry the update');
  });

  it('follows a 2026-07-28 server’s resource for a subscribing session (subscriptions/listen upstream)', async (t) => {
    const hub = await startTestHub(t);
    const spoke = await startModernConformanceSpoke({ subscribable: true });
    t.after(() => spoke.close());
    const registered = await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'modern-resources',
      service_name: 'modern',
      address: '127.0.0.1',
      port: spoke.port,
      mcp_url: spoke.url,
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const subscriber = (await connectHttp(t, hub.url!)).client;
    const heard: string[] = [];
    subscriber.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void heard.push(n.params.uri),
    );
    const uri = 'test://watched-resource';
    assert.deepEqual(await subscriber.subscribeResource({ uri }), {});
    await subscriber.callTool({ name: 'test_update_watched_resource', arguments: {} });
    await waitFor(() => heard.includes(uri), 'the update of a 2026-07-28 server’s resource');
    // Unsubscribed: the hub ends its listen stream; an update after it reaches nobody.
    assert.deepEqual(await subscriber.unsubscribeResource({ uri }), {});
    const before = heard.length;
    await subscriber.callTool({ name: 'test_update_watched_resource', arguments: {} });
    await subscriber.ping();
    assert.equal(heard.length, before);
  });

  it('pages merged lists with cursors: every item once, in a stable order, a bad cursor refused', async (t) => {
    const hub = await startTestHub(t, { mcp: { pageSize: 2 } });
    for (const [id, port] of [
      ['everything-4', await startEverythingServer(t)],
      ['everything-5', await startEverythingServer(t)],
    ] as const)
      await api(hub, 'POST', '/api/v1/services/register', {
        service_id: id,
        service_name: id,
        address: '127.0.0.1',
        port: port.port,
        mcp_url: port.mcpUrl,
        namespace: id.replace('-', ''),
      });
    const { client } = await connectHttp(t, hub.url!);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listPrompts(cursor ? { cursor } : undefined);
      assert.ok(page.prompts.length <= 2);
      pages.push(page.prompts.map((p) => p.name));
      cursor = page.nextCursor;
    } while (cursor);
    const names = pages.flat();
    assert.ok(pages.length > 1, 'more than one page');
    assert.equal(new Set(names).size, names.length, 'each prompt once');
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
    // Both servers' prompts are there, each under its namespace.
    assert.ok(
      names.some((n) => n.startsWith('everything4__')) && names.some((n) => n.startsWith('everything5__')),
    );
    const resources = await client.listResources();
    assert.ok(resources.resources.length <= 2 && resources.nextCursor);
    await assert.rejects(client.listResources({ cursor: '!!not a cursor!!' }), /invalid cursor/);
  });
});
