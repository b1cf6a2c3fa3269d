import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryDirectory } from '../../src/registry/registry-directory.js';
import { serviceRecord as service, toolRecord as tool } from '../helpers/registry-records.js';

/** Every item of a paged list, following next_cursor with the given page size. */
function pageThrough<T>(list: (cursor?: string) => { items: T[]; next_cursor: string | null }): T[] {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = list(cursor);
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

describe('the in-memory registry directory', () => {
  it('keeps services and tools in order through registrations in random order, replacements and deregistrations', () => {
    const directory = new RegistryDirectory();
    const expectedTools = new Map<string, string[]>();
    const active = new Map<string, boolean>();
    // A fixed pseudo-random sequence: the same run every time.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 2000; step++) {
      const id = `svc${next(300)}-${next(3)}`;
      if (next(5) === 0 && active.get(id)) {
        directory.update(service(id, { is_active: false }));
        active.set(id, false);
        expectedTools.delete(id);
        continue;
      }
      const names = Array.from({ length: 1 + next(4) }, (_, i) => `${id.replace('-', '_')}_t${next(6) + i}`);
      const unique = [...new Set(names)];
      directory.register(
        service(id),
        unique.map((name) => tool(id, name)),
      );
      active.set(id, true);
      expectedTools.set(id, unique);
    }
    const ids = [...active.keys()].sort();
    const services = pageThrough((cursor) => directory.listServices({ limit: 7, cursor }));
    assert.deepEqual(
      services.map((s) => s.service_id),
      ids,
    );
    const activeOnly = pageThrough((cursor) => directory.listServices({ limit: 5, active: true, cursor }));
    assert.deepEqual(
      activeOnly.map((s) => s.service_id),
      ids.filter((id) => active.get(id)),
    );
    const names = [...new Set([...expectedTools.values()].flat())].sort();
    const catalogue = pageThrough((cursor) => directory.listCatalogue({ limit: 9, cursor }));
    assert.deepEqual(
      catalogue.map((t) => t.name),
      names,
    );
    for (const name of names.slice(0, 50)) {
      const offering = [...expectedTools].filter(([, tools]) => tools.includes(name)).map(([id]) => id);
      assert.deepEqual(directory.getTool(name)?.instances.sort(), offering.sort(), name);
    }
  });

  it('loads in bulk into the same order as one registration at a time', () => {
    const services = ['b-1', 'a-2', 'c-1', 'a-1'].map((id) => service(id));
    const tools = services.flatMap((s) => [
      tool(s.service_id, `${s.service_id[0]}_x`),
      tool(s.service_id, `z_${s.service_id}`),
    ]);
    const loaded = new RegistryDirectory();
    loaded.load(services, tools);
    const stepwise = new RegistryDirectory();
    for (const s of services)
      stepwise.register(
        s,
        tools.filter((t) => t.service_id === s.service_id),
      );
    for (const directory of [loaded, stepwise]) {
      assert.deepEqual(
        directory.listServices({ limit: 10 }).items.map((s) => s.service_id),
        ['a-1', 'a-2', 'b-1', 'c-1'],
      );
      assert.deepEqual(
        directory.listCatalogue({ limit: 10 }).items.map((t) => t.name),
        ['a_x', 'b_x', 'c_x', 'z_a-1', 'z_a-2', 'z_b-1', 'z_c-1'],
      );
    }
  });
});
