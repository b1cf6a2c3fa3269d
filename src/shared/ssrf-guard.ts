import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { HubError } from '../errors.js';

export interface SsrfPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
  allowPublic: boolean;
}

/** Ranges never reachable through the hub, whatever the policy: link-local, cloud metadata, multicast, unspecified, reserved. */
const ALWAYS_BLOCKED = new BlockList();
ALWAYS_BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4');
ALWAYS_BLOCKED.addSubnet('240.0.0.0', 4, 'ipv4');
ALWAYS_BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
ALWAYS_BLOCKED.addAddress('::', 'ipv6');
ALWAYS_BLOCKED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_BLOCKED.addSubnet('ff00::', 8, 'ipv6');
ALWAYS_BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/** The eight 16-bit groups of an IPv6 address in any spelling (`::`, a dotted IPv4 tail, a zone). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const octets = dotted.slice(2, 6).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string) =>
    half === ''
      ? []
      : half.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 address embeds, in every form a packet can reach it by: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, first
 * octet non-zero so that `::1` stays loopback), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`), 6to4
 * (`2002::/16`) and Teredo (`2001::/32`, the client address inverted).
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  if (zeros(0, 6) && g[6]! >= 0x0100) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && (g[2] === 0 || g[2] === 1) && zeros(3, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  if (g[0] === 0x2001 && g[1] === 0) return v4(g[6]! ^ 0xffff, g[7]! ^ 0xffff);
  return undefined;
}

/** Classifies one IP address; `blocked` means "never", otherwise the policy class. */
export function classifyAddress(address: string): 'blocked' | 'loopback' | 'private' | 'public' {
  const ip = isIP(address) === 6 ? (embeddedIpv4(address) ?? address) : address;
  const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_BLOCKED.check(ip, family)) return 'blocked';
  if (LOOPBACK.check(ip, family)) return 'loopback';
  if (PRIVATE.check(ip, family)) return 'private';
  return 'public';
}

/**
 * The SSRF guard for every URL the hub connects to (spoke endpoints, health checks), at
 * registration and again when connecting. Hostnames are resolved and every address is checked.
 * The WHATWG URL parser already turns decimal, hex and short IPv4 spellings into dotted form.
 */
export function createSsrfGuard(
  policy: SsrfPolicy,
  resolve: (host: string) => Promise<string[]> = defaultResolve,
) {
  function allowed(kind: ReturnType<typeof classifyAddress>): boolean {
    if (kind === 'blocked') return false;
    if (kind === 'loopback') return policy.allowLoopback;
    if (kind === 'private') return policy.allowPrivate;
    return policy.allowPublic;
  }

  return {
    /**
     * A `lookup` for `net.connect` (undici's `connect` option): resolves the host and refuses the
     * connection when any answer is outside the policy. So the address checked is the address
     * connected to — a DNS answer that changed since registration (rebinding) cannot slip through.
     */
    lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
      resolve(hostname).then(
        (addresses) => {
          if (addresses.length === 0) {
            return callback(
              Object.assign(new Error(`host ${hostname} does not resolve`), { code: 'ENOTFOUND' }),
              '',
            );
          }
          for (const address of addresses) {
            const kind = classifyAddress(address);
            if (!allowed(kind)) {
              const error = new Error(
                `${hostname} resolved to ${address}, which the hub's network policy does not allow (${kind})`,
              );
              return callback(Object.assign(error, { code: ADDRESS_NOT_ALLOWED }), '');
            }
          }
          const entries = addresses.map((address) => ({ address, family: isIP(address) || 4 }));
          if (options.all) return callback(null, entries);
          const first = entries.find((e) => !options.family || e.family === options.family) ?? entries[0]!;
          callback(null, first.address, first.family);
        },
        (error: Error) => callback(error, ''),
      );
    },

    async check(rawUrl: string, field: string): Promise<void> {
      const refuse = (why: string) =>
        new HubError('address_not_allowed', `${field}: ${why}`, [{ path: field, message: why }]);
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw refuse(`${rawUrl} is not a valid URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw refuse(`protocol ${url.protocol} is not allowed`);
      if (url.username || url.password) throw refuse('credentials in URLs are not allowed');
      const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
      let addresses: string[];
      if (isIP(host)) addresses = [host];
      else {
        try {
          addresses = await resolve(host);
        } catch {
          throw refuse(`host ${host} does not resolve`);
        }
      }
      if (addresses.length === 0) throw refuse(`host ${host} does not resolve`);
      for (const address of addresses) {
        const kind = classifyAddress(address);
        if (!allowed(kind)) {
          throw refuse(
            kind === 'blocked'
              ? `address ${address} is in a range the hub never connects to (link-local, metadata, multicast or unspecified)`
              : `${kind} address ${address} is not allowed by the hub's network policy`,
          );
        }
      }
    },
  };
}

/** The error code of a connection the guard's lookup refused (the request never left the hub). */
export const ADDRESS_NOT_ALLOWED = 'EADDR_NOT_ALLOWED';

type LookupOptions = { family?: number | string; all?: boolean };
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
