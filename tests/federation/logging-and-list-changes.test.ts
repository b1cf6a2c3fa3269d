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
    const registered = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      server.registration('everything-logs'),
    );
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

    // server-everything keeps state per session (one server per session): each hub session gets
    // its own upstream session, and what the server says on it goes to that session alone. It
    // sends one log message at once on the session that toggled its simulated logging, then one
    // every 5 s.
    await first.client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });
    await waitFor(() => first.logged.length > 0, 'the log message in the toggling session');
    assert.match(first.logged[0]!.logger ?? '', /^everything/, 'named after the service it came from');
    // A round trip on the other sessions: anything relayed to them before it has arrived.
    await second.client.ping();
    await silent.client.ping();
    assert.deepEqual(second.logged, [], "another session's upstream session is not this one's");
    assert.deepEqual(silent.logged, [], 'a session that set no level gets no server logs');
    await first.client.callTool({ name: 'ev__toggle-simulated-logging', arguments: {} });

    // Said on the hub-owned upstream session (a REST call uses it): every session that set a level.
    const viaRest = await api(hub, 'POST', '/api/v1/tools/ev__toggle-simulated-logging/execute', {
      arguments: {},
    });
    assert.equal(viaRest.status, 200, JSON.stringify(viaRest.body));
    await waitFor(
      () => second.logged.length > 0 && first.logged.length > 1,
      'the hub-owned session’s log message in both sessions that set a level',
    );
    await silent.client.ping();
    assert.deepEqual(silent.logged, [], 'still nothing for the session that set no level');
    await api(hub, 'POST', '/api/v1/tools/ev__toggle-simulated-logging/execute', { arguments: {} });

    // A tool that adds a resource to the server's list — this session's list, on this server: the
    // server says so, the hub tells its clients; the resource is the session's own.
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
    const after = (await first.client.listResources()).resources;
    assert.equal(after.length, before + 1);
    assert.ok(after.some((r) => r.uri === link.uri));
    const read = await first.client.readResource({ uri: link.uri });
    assert.equal(read.contents[0]?.uri, link.uri, 'the session reads its own resource through the hub');
    const others = (await silent.client.listResources()).resources;
    assert.ok(
      !others.some((r) => r.uri === link.uri),
      "another session does not see this session's resource",
    );
  });
});
