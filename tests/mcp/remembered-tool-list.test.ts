// A desktop hub's first tools/list comes from the list its last run served (remembered-tool-list.ts):
// the file it keeps, and the stdio front that answers from it until the hub is ready, then says
// list_changed when the live list is another one and keeps the live list from then on.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Duplex, PassThrough, Transform } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import type { Tool } from '@modelcontextprotocol/server';
import { createListChangedBroadcaster } from '../../src/mcp/list-changed-broadcaster.js';
import {
  openToolListMemory,
  type ToolList,
  type ToolListMemory,
  toolListFileOf,
  toolListKey,
} from '../../src/mcp/remembered-tool-list.js';
import { openStdioFront } from '../../src/mcp/stdio-front.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { connectModernClient, StreamPairTransport } from '../helpers/modern-client.js';
import { api, registration, startTestHub } from '../helpers/test-hub.js';
import { startTestSpoke } from '../helpers/test-spoke.js';
import { waitFor } from '../helpers/wait-for.js';

const tool = (name: string): Tool => ({ name, inputSchema: { type: 'object' } });
const names = (tools: { name: string }[]) => tools.map((t) => t.name);

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'fin-hub-tool-list-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return toolListFileOf(join(dir, 'data'));
}

describe('the remembered tool list file', () => {
  it('keeps a list for the same key only, sorted, and ignores a missing, unreadable or fresh one', async (t) => {
    const file = tempFile(t);
    const logger = createCaptureLogger();
    const key = toolListKey('1.0.0', { spokes: ['market'] });
    assert.notEqual(key, toolListKey('1.0.1', { spokes: ['market'] }), 'another version, another key');
    assert.notEqual(key, toolListKey('1.0.0', { spokes: ['risk'] }), 'another configuration, another key');

    const first = openToolListMemory({ file, key, logger });
    assert.equal(first.remembered, undefined, 'nothing yet');
    first.remember({ lead: [tool('hub_search')], tools: [tool('b_tool'), tool('a_tool')] });
    await waitFor(() => existsSync(file), 'the list to be written');
    assert.equal(existsSync(`${file}.${process.pid}.tmp`), false, 'written through a renamed temporary file');
    assert.equal(statSync(file).mode & 0o777, 0o600, "the owner's only");

    const again = openToolListMemory({ file, key, logger });
    assert.deepEqual(names(again.remembered!.lead), ['hub_search']);
    assert.deepEqual(names(again.remembered!.tools), ['a_tool', 'b_tool'], 'sorted as cursors page');
    const other = openToolListMemory({ file, key: toolListKey('1.0.1', {}), logger });
    assert.equal(other.remembered, undefined, 'another key ignores it');
    assert.equal(
      openToolListMemory({ file, key, logger, fresh: true }).remembered,
      undefined,
      'a new data directory',
    );

    for (const text of ['{"key":', '[]', JSON.stringify({ key, lead: [], tools: [{ title: 'no name' }] })]) {
      writeFileSync(file, text);
      assert.equal(openToolListMemory({ file, key, logger }).remembered, undefined, text);
    }
    assert.ok(
      logger.lines.some((line) => line.includes('the remembered tool list is unreadable')),
      logger.lines.join('\n'),
    );
  });
});

/** A ToolListMemory that records what the front asks it to remember. */
function recordingMemory(remembered: ToolList | undefined) {
  const kept: ToolList[] = [];
  const memory: ToolListMemory = { remembered, remember: (list) => kept.push(list) };
  return { memory, kept };
}

/** A real hub with the test spoke registered as `serviceId`, offering `tools`. */
async function hubWithSpoke(t: TestContext, serviceId: string, tools: string[]) {
  const hub = await startTestHub(t);
  const spoke = await startTestSpoke(t);
  const reg = await api(
    hub,
    'POST',
    '/api/v1/services/register',
    registration(serviceId, serviceId, spoke.port, tools),
  );
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  return hub;
}

/**
 * A stdio front with `memory`, a client connected to it in `mode`, and `attach`: the hub is ready
 * (as main.ts attaches it, with a broadcaster of the hub's registry changes).
 */
async function frontWithMemory(
  t: TestContext,
  hub: Awaited<ReturnType<typeof startTestHub>>,
  memory: ToolListMemory,
  options: { pageSize: number; mode: 'legacy' | 'auto'; stdin?: Duplex },
) {
  const stdin = options.stdin ?? new PassThrough();
  const stdout = new PassThrough();
  const front = openStdioFront({
    version: 'test',
    pageSize: options.pageSize,
    onEnd: () => {},
    stdin,
    stdout,
    memory,
  });
  t.after(() => front.close());
  const session = await connectModernClient(t, new StreamPairTransport(stdin, stdout), {
    mode: options.mode,
  });
  const attach = () => {
    const broadcaster = createListChangedBroadcaster({
      store: hub.store,
      debounceMs: 10,
      logger: createCaptureLogger(),
    });
    t.after(() => broadcaster.close());
    front.attach({ routing: hub.routing, engine: hub.engine, surface: hub.surface }, broadcaster);
  };
  return { session, attach };
}

describe('a stdio front with a remembered tool list', () => {
  for (const mode of ['legacy', 'auto'] as const) {
    it(`answers from memory before the hub is ready, then pages on into the live list and says it changed (${mode === 'legacy' ? 'handshake era' : '2026-07-28'})`, async (t) => {
      const hub = await hubWithSpoke(t, `remember-${mode}`, ['echo', 'hold', 'slow']);
      const { memory, kept } = recordingMemory({ lead: [], tools: [tool('aaa_gone'), tool('echo')] });
      const { session, attach } = await frontWithMemory(t, hub, memory, { pageSize: 1, mode });
      const { client } = session;

      // Nothing is attached yet: a list that waited for the hub would never come. (One page by
      // hand: the client's listTools() without a cursor walks every page.)
      const first = (await client.request({ method: 'tools/list', params: {} })) as {
        tools: Tool[];
        nextCursor?: string;
      };
      assert.deepEqual(names(first.tools), ['aaa_gone']);
      assert.ok(first.nextCursor, 'one tool per page');
      assert.deepEqual(
        names((await client.listTools()).tools),
        ['aaa_gone', 'echo'],
        'every remembered page',
      );
      // A call waits for the hub, as before.
      const call = client.callTool({ name: 'echo', arguments: { text: 'waited' } });
      attach();

      assert.deepEqual((await call).structuredContent, { text: 'waited' });
      // The remembered cursor (after "aaa_gone") pages on through the live list.
      const second = await client.listTools({ cursor: first.nextCursor });
      assert.deepEqual(names(second.tools), ['echo']);
      await waitFor(() => session.listChanged > 0, 'list_changed: the live list is not the remembered one');
      assert.deepEqual(names(kept[0]!.tools), ['echo', 'hold', 'slow'], 'the live list is remembered');

      // Later changes of the live list are remembered too.
      const gone = await api(hub, 'POST', `/api/v1/services/remember-${mode}/deregister`);
      assert.equal(gone.status, 200, JSON.stringify(gone.body));
      await waitFor(() => kept.length === 2, 'the list without the departed service to be remembered');
      assert.deepEqual(kept[1]!.tools, []);
    });
  }

  it('announces nothing before the hub is ready (the spokes registering), then that the live list differs', async (t) => {
    const hub = await hubWithSpoke(t, 'early', ['echo']);
    const { memory } = recordingMemory({ lead: [], tools: [tool('remembered_only')] });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const front = openStdioFront({ version: 'test', pageSize: 100, onEnd: () => {}, stdin, stdout, memory });
    t.after(() => front.close());
    const session = await connectModernClient(t, new StreamPairTransport(stdin, stdout), { mode: 'legacy' });
    assert.deepEqual(names((await session.client.listTools()).tools), ['remembered_only']);
    // Attached, but still waiting for its spokes (the CLI's hold).
    let spokesRegistered: () => void = () => {};
    front.hold(new Promise<void>((resolve) => (spokesRegistered = resolve)));
    const broadcaster = createListChangedBroadcaster({
      store: hub.store,
      debounceMs: 10,
      logger: createCaptureLogger(),
    });
    t.after(() => broadcaster.close());
    let broadcasts = 0;
    broadcaster.add({ sendToolListChanged: () => void broadcasts++ });
    front.attach({ routing: hub.routing, engine: hub.engine, surface: hub.surface }, broadcaster);
    const spoke = await startTestSpoke(t);
    const reg = await api(
      hub,
      'POST',
      '/api/v1/services/register',
      registration('later', 'later', spoke.port, ['slow']),
    );
    assert.equal(reg.status, 200);
    await waitFor(() => broadcasts > 0, 'the registration to be broadcast');
    // Still answered from memory; a list_changed sent to the client would have come before this answer.
    assert.deepEqual(names((await session.client.listTools()).tools), ['remembered_only']);
    assert.equal(session.listChanged, 0);

    spokesRegistered();
    await waitFor(() => session.listChanged > 0, 'list_changed at ready');
    assert.deepEqual(names((await session.client.listTools()).tools), ['echo', 'slow']);
  });

  it("drops a 2026-07-28 client's cached remembered list at ready: its next list is the live one", async (t) => {
    const hub = await hubWithSpoke(t, 'cached', ['echo', 'hold']);
    const { memory } = recordingMemory({ lead: [], tools: [tool('remembered_only')] });
    // The front's input counts the tools/list requests that reach it (the client's cache answers
    // the others).
    let listsReceived = 0;
    const stdin = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        listsReceived += chunk.toString('utf8').split('"method":"tools/list"').length - 1;
        done(null, chunk);
      },
    });
    const { session, attach } = await frontWithMemory(t, hub, memory, { pageSize: 100, mode: 'auto', stdin });
    assert.deepEqual(names((await session.client.listTools()).tools), ['remembered_only']);
    assert.deepEqual(names((await session.client.listTools()).tools), ['remembered_only']);
    assert.equal(listsReceived, 1, "the second list came from the client's cache (ttlMs)");

    attach();
    await waitFor(() => session.listChanged > 0, 'list_changed at ready, on the subscriptions/listen stream');
    assert.deepEqual(names((await session.client.listTools()).tools), ['echo', 'hold']);
    assert.equal(listsReceived, 2, 'the list_changed emptied the cache: the list was asked again');
  });

  it('says nothing at ready when the live list is the remembered one', async (t) => {
    const hub = await hubWithSpoke(t, 'same', ['echo']);
    const live = hub.routing.visibleTools().map((t) => t.definition);
    const { memory } = recordingMemory({ lead: [], tools: live });
    const { session, attach } = await frontWithMemory(t, hub, memory, { pageSize: 100, mode: 'legacy' });
    assert.deepEqual(names((await session.client.listTools()).tools), ['echo']);
    const call = session.client.callTool({ name: 'echo', arguments: { text: 'after ready' } });
    attach();
    // A list_changed at ready is written (a microtask after it) before this answer, which needs the spoke.
    assert.deepEqual((await call).structuredContent, { text: 'after ready' });
    assert.equal(session.listChanged, 0);
  });

  it('answers the start-up error, not the remembered list, once the hub failed to start', async (t) => {
    const { memory } = recordingMemory({ lead: [], tools: [tool('remembered')] });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const front = openStdioFront({ version: 'test', pageSize: 100, onEnd: () => {}, stdin, stdout, memory });
    t.after(() => front.close());
    const { client } = await connectModernClient(t, new StreamPairTransport(stdin, stdout), {
      mode: 'legacy',
    });
    assert.deepEqual(names((await client.listTools()).tools), ['remembered']);
    front.fail(new Error('fin-hub could not start: the database is gone'));
    await assert.rejects(client.listTools(), /the database is gone/);
  });

  it('reads the file a hub wrote: a front opened on it answers the remembered list', async (t) => {
    const file = tempFile(t);
    const key = toolListKey('test', {});
    const writer = openToolListMemory({ file, key, logger: createCaptureLogger() });
    writer.remember({ lead: [tool('hub_search')], tools: [tool('from_disk')] });
    await waitFor(() => existsSync(file), 'the list to be written');
    assert.match(readFileSync(file, 'utf8'), /from_disk/);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const memory = openToolListMemory({ file, key, logger: createCaptureLogger() });
    const front = openStdioFront({ version: 'test', pageSize: 100, onEnd: () => {}, stdin, stdout, memory });
    t.after(() => front.close());
    const { client } = await connectModernClient(t, new StreamPairTransport(stdin, stdout), {
      mode: 'legacy',
    });
    assert.deepEqual(names((await client.listTools()).tools), ['hub_search', 'from_disk']);
  });
});
