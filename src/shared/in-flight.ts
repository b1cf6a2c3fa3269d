/** An item of an `InFlight` registry: where it sits while it is in one (-1 when it is not). */
export interface Slotted {
  slot: number;
}

/**
 * The calls in flight on a hot path (the engine's, a session's, the 2026-07-28 bridge's): an array
 * whose items know their index, removed by moving the last item into their place.
 *
 * Not a Map or a Set. Under constant add/delete churn V8 rebuilds a Map's hash table every few
 * dozen entries, and the table it leaves keeps a link to its successor and the entries it held.
 * Once one such table has reached the old generation, every later table — and every call they
 * held, with all its promises and closures — survives each scavenge and is promoted, until the
 * next full collection. Measured with a scratch script (the engine in one process, ten concurrent
 * callers, a fake spoke; the committed before/after is bench/profile-hub.ts's, docs/performance.md):
 * 730 B promoted per call with a Map of running calls, none with this array, and 1.5× the calls per
 * second; on Node 20, 22 and 24 alike.
 * Lookups by key are linear: they are rare (a cancellation, a running execution's record) or
 * scan a single session's calls in flight.
 */
export class InFlight<T extends Slotted> {
  readonly #items: T[] = [];

  add(item: T): void {
    item.slot = this.#items.length;
    this.#items.push(item);
  }

  /** Removes the item; false when it was not in. */
  delete(item: T): boolean {
    const items = this.#items;
    if (!this.has(item)) return false;
    const last = items.pop()!;
    if (last !== item) {
      items[item.slot] = last;
      last.slot = item.slot;
    }
    item.slot = -1;
    return true;
  }

  has(item: T): boolean {
    return item.slot >= 0 && this.#items[item.slot] === item;
  }

  find(predicate: (item: T) => boolean): T | undefined {
    return this.#items.find(predicate);
  }

  /** A copy: the caller may remove items while it walks it. */
  values(): T[] {
    return [...this.#items];
  }

  get size(): number {
    return this.#items.length;
  }
}
