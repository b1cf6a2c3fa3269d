// The per-call bookkeeping of the hot path: the registry of calls in flight (InFlight) and the
// call's cancellation (CallAbortController), which undici and the SDK-facing code must accept.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import { CallAbortController, toAbortSignal } from '../../src/shared/call-abort.js';
import { InFlight } from '../../src/shared/in-flight.js';
import { untilAborted } from '../../src/shared/until-aborted.js';

const item = (name: string) => ({ name, slot: -1 });

describe('InFlight, the registry of calls in flight', () => {
  it('adds, finds and removes items in any order, each once', () => {
    const calls = new InFlight<ReturnType<typeof item>>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item) as [
      ReturnType<typeof item>,
      ReturnType<typeof item>,
      ReturnType<typeof item>,
      ReturnType<typeof item>,
    ];
    for (const x of [a, b, c, d]) calls.add(x);
    assert.equal(calls.size, 4);
    // Removing from the middle moves the last item into the gap; every item still finds itself.
    assert.equal(calls.delete(b), true);
    assert.equal(calls.delete(b), false, 'a second removal is refused');
    assert.equal(calls.has(b), false);
    assert.equal(b.slot, -1);
    for (const x of [a, c, d]) assert.equal(calls.has(x), true, x.name);
    assert.equal(
      calls.find((x) => x.name === 'd'),
      d,
    );
    assert.equal(
      calls.find((x) => x.name === 'b'),
      undefined,
    );
    assert.equal(calls.delete(a), true);
    assert.equal(calls.delete(d), true);
    assert.deepEqual(
      calls.values().map((x) => x.name),
      ['c'],
    );
    // An item of another registry (same slot number) is not this one's.
    const other = new InFlight<ReturnType<typeof item>>();
    const stranger = item('e');
    other.add(stranger);
    assert.equal(stranger.slot, 0);
    assert.equal(calls.has(stranger), false);
    assert.equal(calls.delete(stranger), false);
    assert.equal(calls.size, 1);
  });

  it('lets its caller remove items while walking them', () => {
    const calls = new InFlight<ReturnType<typeof item>>();
    const all = ['a', 'b', 'c'].map(item);
    for (const x of all) calls.add(x);
    for (const x of calls.values()) calls.delete(x);
    assert.equal(calls.size, 0);
  });
});

describe('CallAbortController, a call’s cancellation', () => {
  it('runs each listener once, in order, with the reason set; later listeners never run', () => {
    const controller = new CallAbortController();
    const { signal } = controller;
    const seen: string[] = [];
    const first = () => seen.push(`first:${String(signal.reason)}`);
    const removed = () => seen.push('removed');
    signal.addEventListener('abort', first, { once: true });
    signal.addEventListener('abort', first);
    signal.addEventListener('abort', removed);
    signal.addEventListener('abort', () => seen.push(`second:${signal.aborted}`));
    signal.removeEventListener('abort', removed);
    assert.equal(signal.aborted, false);
    controller.abort('why');
    controller.abort('again');
    signal.addEventListener('abort', () => seen.push('late'));
    assert.deepEqual(seen, ['first:why', 'second:true']);
    assert.equal(signal.reason, 'why');
    assert.throws(
      () => signal.throwIfAborted(),
      (error) => error === 'why',
    );
  });

  it('aborts with an AbortError by default, as AbortController does', () => {
    const controller = new CallAbortController();
    controller.abort();
    const reason = controller.signal.reason as DOMException;
    assert.equal(reason.name, 'AbortError');
    assert.equal(
      reason.name,
      (() => {
        const platform = new AbortController();
        platform.abort();
        return (platform.signal.reason as DOMException).name;
      })(),
    );
  });

  it('runs the other listeners when one throws, and reports the error as uncaught, as EventTarget does', () => {
    // In a child process: an uncaught exception inside this test runner would fail the test itself.
    const script = `
      import { CallAbortController } from ${JSON.stringify(new URL('../../src/shared/call-abort.ts', import.meta.url).href)};
      const seen = [];
      process.on('uncaughtException', (error) => {
        seen.push('uncaught ' + error.message);
        console.log(JSON.stringify(seen));
      });
      const controller = new CallAbortController();
      controller.signal.addEventListener('abort', () => { throw new Error('listener broke'); });
      controller.signal.addEventListener('abort', () => seen.push('second listener ran'));
      controller.abort();
      seen.push('abort returned, aborted=' + controller.signal.aborted);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out), [
      'second listener ran',
      'abort returned, aborted=true',
      'uncaught listener broke',
    ]);
  });

  it('gives a platform AbortSignal that follows it, for APIs that want one', () => {
    const platform = new AbortController().signal;
    assert.equal(toAbortSignal(platform), platform, 'an AbortSignal stands for itself');
    const controller = new CallAbortController();
    const follower = toAbortSignal(controller.signal);
    assert.ok(follower instanceof AbortSignal);
    assert.equal(follower.aborted, false);
    controller.abort('stop');
    assert.equal(follower.aborted, true);
    assert.equal(follower.reason, 'stop');
    const early = new CallAbortController();
    early.abort('before');
    assert.equal(toAbortSignal(early.signal).reason, 'before');
  });

  it('ends untilAborted with its reason', async () => {
    const controller = new CallAbortController();
    const never = new Promise<never>(() => {});
    const waiting = untilAborted(never, controller.signal);
    controller.abort(new Error('the caller went away'));
    await assert.rejects(waiting, /the caller went away/);
  });

  it('cancels an undici request in flight, closing its connection to the server', async (t) => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    // A server that never answers: only the abort can end the request.
    const server = createServer((req) => {
      req.socket.once('close', () => closed());
      arrived();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    t.after(async () => {
      await agent.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const controller = new CallAbortController();
    const request = agent.request({
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      path: '/',
      method: 'GET',
      signal: controller.signal as unknown as AbortSignal,
    });
    await requestArrived;
    controller.abort(new Error('timed out'));
    await assert.rejects(request, /timed out/);
    await connectionClosed;
  });
});
