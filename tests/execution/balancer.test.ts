import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBalancer } from '../../src/execution/balancer.js';
import type { InstanceView } from '../../src/registry/routing-index.js';

const instance = (serviceId: string, weight: number, meta: Record<string, unknown> = {}) =>
  ({ serviceId, serviceName: 'svc', weight, meta, healthy: true }) as InstanceView;

describe('balancer (no network)', () => {
  it('spreads smooth weighted round robin exactly by weight, interleaved (nginx: weights 5,1,1 → a a b a c a a)', () => {
    const balancer = createBalancer({ defaultKind: 'weighted_round_robin', inFlight: () => 0 });
    const candidates = [instance('a', 5), instance('b', 1), instance('c', 1)];
    const picks = Array.from({ length: 7 }, () => balancer.pick(candidates)!.serviceId);
    assert.deepEqual(picks, ['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('takes the instance with the fewest calls in flight under least connections, ties in turn', () => {
    const load = new Map([
      ['a', 3],
      ['b', 1],
      ['c', 1],
    ]);
    const balancer = createBalancer({
      defaultKind: 'least_connections',
      inFlight: (id) => load.get(id) ?? 0,
    });
    const candidates = [instance('a', 1), instance('b', 1), instance('c', 1)];
    const picks = new Set(Array.from({ length: 4 }, () => balancer.pick(candidates)!.serviceId));
    assert.deepEqual([...picks].sort(), ['b', 'c']);
  });

  it("follows a service's meta.balancer over the hub's default, and forgets removed instances", () => {
    const balancer = createBalancer({
      defaultKind: 'weighted_round_robin',
      inFlight: (id) => (id === 'a' ? 5 : 0),
    });
    const candidates = [
      instance('a', 10, { balancer: 'least_connections' }),
      instance('b', 1, { balancer: 'least_connections' }),
    ];
    assert.equal(balancer.pick(candidates)!.serviceId, 'b');
    assert.equal(balancer.pick([])?.serviceId, undefined);
    balancer.forget('a');
    assert.equal(balancer.pick([instance('a', 1)])!.serviceId, 'a');
  });
});
