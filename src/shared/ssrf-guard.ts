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

/** `::ffff:a.b.c.d` and `::ffff:xxxx:yyyy` become the IPv4 address they embed. */
function unmapIpv4(address: string): string {
  const lower = address.toLowerCase();
  const dotted =
    /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** Classifies one IP address; `blocked` means "never", otherwise the policy class. */
export function classifyAddress(address: string): 'blocked' | 'loopback' | 'private' | 'public' {
  const ip = unmapIpv4(address);
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

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
