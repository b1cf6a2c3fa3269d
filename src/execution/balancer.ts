import type { InstanceView } from '../registry/routing-index.js';

export type BalancerKind = 'weighted_round_robin' | 'least_connections';

/**
 * Picks one instance among candidates. Smooth weighted round robin (nginx's algorithm) spreads a
 * 1:2:3 weighting as A B C B C C …, never "always the heaviest"; least connections takes the
 * instance with the fewest calls in flight (ties go round robin).
 */
export function createBalancer(options: {
  defaultKind: BalancerKind;
  inFlight: (serviceId: string) => number;
}) {
  // Per service_name: current weights of nginx's smooth WRR.
  const currentWeights = new Map<string, Map<string, number>>();
  let tieBreaker = 0;

  function kindFor(instance: InstanceView): BalancerKind {
    const override = instance.meta.balancer;
    return override === 'least_connections' || override === 'weighted_round_robin'
      ? override
      : options.defaultKind;
  }

  function weightedRoundRobin(candidates: InstanceView[]): InstanceView {
    const serviceName = candidates[0]!.serviceName;
    let weights = currentWeights.get(serviceName);
    if (!weights) {
      weights = new Map();
      currentWeights.set(serviceName, weights);
    }
    let total = 0;
    let best: InstanceView | undefined;
    let bestWeight = Number.NEGATIVE_INFINITY;
    for (const candidate of candidates) {
      const weight = (weights.get(candidate.serviceId) ?? 0) + candidate.weight;
      weights.set(candidate.serviceId, weight);
      total += candidate.weight;
      if (weight > bestWeight) {
        bestWeight = weight;
        best = candidate;
      }
    }
    weights.set(best!.serviceId, bestWeight - total);
    return best!;
  }

  function leastConnections(candidates: InstanceView[]): InstanceView {
    let best: InstanceView[] = [];
    let fewest = Number.POSITIVE_INFINITY;
    for (const candidate of candidates) {
      const load = options.inFlight(candidate.serviceId);
      if (load < fewest) {
        fewest = load;
        best = [candidate];
      } else if (load === fewest) best.push(candidate);
    }
    return best[tieBreaker++ % best.length]!;
  }

  return {
    pick(candidates: InstanceView[]): InstanceView | undefined {
      if (candidates.length === 0) return undefined;
      if (candidates.length === 1) return candidates[0];
      return kindFor(candidates[0]!) === 'least_connections'
        ? leastConnections(candidates)
        : weightedRoundRobin(candidates);
    },
    /** Forgets the state of instances no longer registered. */
    forget(serviceId: string): void {
      for (const weights of currentWeights.values()) weights.delete(serviceId);
    },
  };
}

export type Balancer = ReturnType<typeof createBalancer>;
