import type { LookupFunction } from 'node:net';

/**
 * A `fetch` whose new connections resolve hosts through `lookup` (the SSRF guard's), so the address
 * checked is the address connected to. Node's built-in fetch takes no lookup: this is undici's own
 * fetch with an agent that does, loaded on first use (start-up does not pay for it).
 */
export function createGuardedFetch(lookup: LookupFunction): typeof fetch {
  let ready: Promise<typeof fetch> | undefined;
  const load = () =>
    import('undici').then(({ Agent, fetch: undiciFetch }) => {
      const dispatcher = new Agent({ connect: { lookup } });
      return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
        undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
    });
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    ready ??= load();
    return (await ready)(input, init);
  }) as typeof fetch;
}
