// The log relay's rules, with a fake upstream pool and routing (fast; the real servers' part is
// tests/federation/logging-and-list-changes.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogRelay } from '../../src/execution/log-relay.js';
import type { LogMessage } from '../../src/execution/upstream-pool.js';
import { createSilentLogger } from '../../src/logger.js';
import type { InstanceView, RoutingView } from '../../src/registry/routing-index.js';
import { waitFor } from '../helpers/wait-for.js';

function fakes(era: 'legacy' | 'modern' = 'legacy') {
  const instances = [
    { serviceId: 'a-1', serviceName: 'alpha', endpoint: 'http://a/mcp', healthy: true },
    { serviceId: 'b-1', serviceName: 'beta', endpoint: 'http://b/mcp', healthy: true },
  ] as InstanceView[];
  const routing = { allInstances: () => instances.values() } as unknown as RoutingView;
  const asked: { endpoint: string; level: unknown; session?: string }[] = [];
  let onMessage: (endpoint: string, message: LogMessage, session?: string) => void = () => {};
  let onConnected: (endpoint: string, session?: string) => void = () => {};
  // Sessions holding their own upstream session with alpha (a server keeping state per session).
  const ownSessions = new Set<string>();
  const upstream = {
    request: async (
      endpoint: string,
      _h: unknown,
      method: string,
      params: Record<string, unknown>,
      session?: string,
    ) => {
      if (method === 'logging/setLevel')
        asked.push({ endpoint, level: params.level, ...(session ? { session } : {}) });
      return {};
    },
    sessionEndpoints: (session: string) => (ownSessions.has(session) ? ['http://a/mcp'] : []),
    capabilitiesOf: async (endpoint: string) => (endpoint === 'http://b/mcp' ? {} : { logging: {} }),
    eraOf: async () => era,
    onLogMessage: (listener: typeof onMessage) => {
      onMessage = listener;
    },
    onConnected: (listener: typeof onConnected) => {
      onConnected = listener;
    },
  };
  const relay = createLogRelay({ routing, upstream: upstream as never, logger: createSilentLogger() });
  return {
    relay,
    asked,
    ownSessions,
    message: (e: string, m: LogMessage, session?: string) => onMessage(e, m, session),
    connected: (e: string, session?: string) => onConnected(e, session),
  };
}

describe('log relay', () => {
  it('sends each session the messages at or above its level, named after the service', () => {
    const { relay, message } = fakes();
    const got: Record<string, LogMessage[]> = { verbose: [], strict: [] };
    relay.setLevel({ id: 'verbose', send: (m) => got.verbose!.push(m) }, 'debug');
    relay.setLevel({ id: 'strict', send: (m) => got.strict!.push(m) }, 'error');
    message('http://a/mcp', { level: 'info', logger: 'db', data: 'connected' });
    message('http://a/mcp', { level: 'critical', data: 'disk full' });
    message('http://a/mcp', { level: 'bogus', data: 'ignored' });
    assert.deepEqual(
      got.verbose!.map((m) => [m.level, m.logger]),
      [
        ['info', 'alpha/db'],
        ['critical', 'alpha'],
      ],
    );
    assert.deepEqual(
      got.strict!.map((m) => m.level),
      ['critical'],
    );
    relay.drop('verbose');
    message('http://a/mcp', { level: 'error', data: 'after' });
    assert.equal(got.verbose!.length, 2, 'a dropped session gets nothing more');
  });

  it('asks handshake-era servers that offer logging for the most verbose level any session wants', async () => {
    const { relay, asked, connected } = fakes();
    relay.setLevel({ id: 's1', send: () => {} }, 'warning');
    await waitFor(() => asked.length === 1, 'setLevel upstream');
    // Only alpha offers logging.
    assert.deepEqual(asked, [{ endpoint: 'http://a/mcp', level: 'warning' }]);
    relay.setLevel({ id: 's2', send: () => {} }, 'error');
    relay.setLevel({ id: 's3', send: () => {} }, 'debug');
    await waitFor(() => asked.length === 2, 'the more verbose level upstream');
    assert.deepEqual(asked[1], { endpoint: 'http://a/mcp', level: 'debug' });
    // A reconnection is told the level again.
    connected('http://a/mcp');
    await waitFor(() => asked.length === 3, 'the level after a reconnection');
  });

  it('gives a session what its own upstream session says, and sets its own level there', async () => {
    const { relay, asked, message, connected, ownSessions } = fakes();
    const got: Record<string, LogMessage[]> = { mine: [], other: [] };
    ownSessions.add('mine');
    relay.setLevel({ id: 'other', send: (m) => got.other!.push(m) }, 'debug');
    relay.setLevel({ id: 'mine', send: (m) => got.mine!.push(m) }, 'info');
    // The hub-owned session gets the most verbose level; `mine`'s own session gets `mine`'s.
    await waitFor(
      () => asked.some((a) => a.session === 'mine') && asked.some((a) => a.level === 'debug'),
      'both levels upstream',
    );
    assert.deepEqual(
      asked.filter((a) => a.session === 'mine'),
      [{ endpoint: 'http://a/mcp', level: 'info', session: 'mine' }],
    );
    message('http://a/mcp', { level: 'warning', data: 'for mine only' }, 'mine');
    message('http://a/mcp', { level: 'debug', data: 'below mine' }, 'mine');
    message('http://a/mcp', { level: 'info', data: 'on nobody' }, 'gone');
    assert.deepEqual(
      got.mine!.map((m) => m.data),
      ['for mine only'],
    );
    assert.deepEqual(got.other, [], "another session's upstream session is not this one's");
    // A session's reconnected upstream session is told that session's level, not the hub's.
    connected('http://a/mcp', 'mine');
    await waitFor(
      () => asked.filter((a) => a.session === 'mine').length === 2,
      "the session's level after a reconnection",
    );
    assert.equal(asked.filter((a) => a.session === 'mine')[1]!.level, 'info');
  });

  it('does not send logging/setLevel to 2026-07-28 servers (their level goes per request)', async () => {
    const { relay, asked } = fakes('modern');
    relay.setLevel({ id: 's1', send: () => {} }, 'info');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(asked, []);
  });
});
