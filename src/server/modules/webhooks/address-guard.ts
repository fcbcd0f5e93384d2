/**
 * Webhooks must not become a way to reach the platform's own network (SSRF): a requester could
 * otherwise register http://127.0.0.1:5432/ or the cloud metadata address and have the server
 * POST there. Two checks, unless DURE_WEBHOOK_ALLOW_PRIVATE=true (development, tests, and
 * on-premise installs whose receivers live on the private network):
 *  - at registration, a URL whose host is a private address literal or `localhost` is refused (400);
 *  - at delivery, the connection's DNS lookup refuses private addresses, so a public name that
 *    resolves (or re-resolves) to a private address is not connected to either.
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent } from 'undici';

const blocked = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 3], // multicast and reserved up to 255.255.255.255
] as const) {
  blocked.addSubnet(a, p, 'ipv4');
}
for (const [a, p] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(a, p, 'ipv6');
}

/** True when `address` (an IPv4 or IPv6 literal) is loopback, private, link-local or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const v = net.isIP(address);
  if (v === 4) return blocked.check(address, 'ipv4');
  if (v !== 6) return false;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:10.0.0.1) and IPv4-compatible forms are judged as the IPv4 address.
  const mapped = /^(?:::ffff:(?:0:)?)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
    return blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

/** Why a webhook URL's host may not be used, or null. Names other than `localhost` are checked at delivery. */
export function privateHostProblem(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this server (localhost)';
  if (isPrivateAddress(host)) return 'must not point at a private, loopback or link-local address';
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A DNS lookup that fails for names resolving to a private address (every address must be public). */
export function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) {
      const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} resolves to a private address (${bad?.address ?? 'none'}); webhooks go to public addresses only`);
      e.code = 'EPRIVATEADDRESS';
      return callback(e, '');
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}

/** The HTTP agent deliveries go through: public addresses only, unless private ones are allowed. */
export function deliveryAgent(allowPrivate: boolean): Agent | undefined {
  if (allowPrivate) return undefined;
  return new Agent({ connect: { lookup: publicOnlyLookup as never } });
}
