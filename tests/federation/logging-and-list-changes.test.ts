import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startEverythingServer } from '../helpers/everything-server.js';
import { connectHttp } from '../helpers/mcp-client.js';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

interface Logged {
  level: string;
  logger?: string;
}

describe(`server log messages and list changes through the hub, on the ${TEST_DB} database`, () => {
  it('relays a server’s log messages to the sessions that set a level, and its resource list changes to every session', async (t) => {
    const hub = await startTestHub(t);
    const server = await startEverythingServer(t);
    const registered = await api(hub, 'POST', '/api/v1/services/register', {
      service_id: 'everything-logs',
      service_name: 'everything',
      address: '127.0.0.1',
      port: server.port,
      mcp_url: server.mcpUrl,
      namespace: 'ev',
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));

    const listen = async (level?: 'debug') => {
      const session = await connectHttp(t, hub.url!);
      const logged: Logged[] = [];
      let resourcesChanged = 0;
      session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logged.push(n.params as Logged);
      });
      session.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
        resourcesChanged++;
      });
      if (level) await session.client.setLoggingLevel(level);
      return {
        client: session.client,
        logged,
        get resourcesChanged() {
          return resourcesChanged;
        },
      };
    };
    const first = await listen('debug');
    const second = await listen('debug');
    const silent = await listen();

    // server-everything sends one log message at once on its session with the hub (outside the
    // call), then one every 5 s.
    await first.client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });
    await waitFor(
      () => first.logged.length > 0 && second.logged.length > 0,
      'the log message in both sessions',
    );
    assert.match(first.logged[0]!.logger ?? '', /^everything/, 'named after the service it came from');
    assert.deepEqual(silent.logged, [], 'a session that set no level gets no server logs');
    await first.client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });

    // A tool that adds a resource to the server's list: the server says so, the hub tells its clients.
    const before = (await first.client.listResources()).resources.length;
    const made = await first.client.callTool({
      name: 'ev__gzip-file-as-resource',
      arguments: {
        name: 'hello.txt.gz',
        data: 'data:text/plain;base64,aGVsbG8=',
        outputType: 'resourceLink',
      },
    });
    const link = (made.content as { type: string; uri?: string }[]).find((c) => c.type === 'resource_link');
    assert.ok(link?.uri, JSON.stringify(made.content));
    await waitFor(
      () => first.resourcesChanged > 0 && silent.resourcesChanged > 0,
      'resources/list_changed in every session',
    );
    const after = (await silent.client.listResources()).resources;
    assert.equal(after.length, before + 1);
    assert.ok(after.some((r) => r.uri === link.uri));
  });
});
