import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses Fanout may send webhooks to. A subscriber names the endpoint, so without a
 * check anyone with an API key could make the bridge call the cloud metadata service, a
 * database on the private network, or the bridge's own loopback ports (SSRF). Everything that
 * is not a public unicast address is refused unless an operator's allowlist names it.
 */
const DENIED_V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'the "this network" block'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

const DENIED_V6: [string, number, string][] = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['64:ff9b:1::', 48, 'a local NAT64 address'],
  ['100::', 64, 'a discard address'],
  ['2001::', 32, 'a Teredo address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['2002::', 16, 'a 6to4 address'],
  ['fc00::', 7, 'a unique-local address (AWS metadata fd00:ec2::254 lives here)'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

export class AddressPolicy {
  private readonly allowed = new BlockList();
  /** The allowlist as given, for logs. */
  readonly allowList: readonly string[];

  /** `allow`: CIDRs or single addresses that may be reached even though they are not public. */
  constructor(allow: readonly string[] = []) {
    this.allowList = allow;
    for (const entry of allow) addNetwork(this.allowed, entry);
  }

  /** Why an address may not be called, or null when it may. */
  refusal(address: string): string | null {
    const ip = unbracket(address);
    const family = isIP(ip);
    if (family === 0) return `${address} is not an IP address`;
    if (this.isAllowed(ip, family)) return null;
    if (family === 4) return deniedReason(ip, DENIED_V4, 'ipv4');
    const embedded = embeddedIPv4(ip);
    if (embedded !== null) {
      // ::ffff:127.0.0.1 and friends reach the IPv4 address inside: judge that one
      if (this.isAllowed(embedded, 4)) return null;
      const inner = deniedReason(embedded, DENIED_V4, 'ipv4');
      return inner === null ? null : `${address} embeds ${embedded}, ${inner.split(' is ')[1]}`;
    }
    return deniedReason(ip, DENIED_V6, 'ipv6');
  }

  private isAllowed(ip: string, family: number): boolean {
    return this.allowed.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Whether a host name or address is this machine's loopback (where an open API may bind). */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host.trim().toLowerCase());
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  if (family === 6) return h === '::1' || embeddedIPv4(h)?.startsWith('127.') === true;
  return false;
}

/** Checks an allowlist entry; throws naming it when it is neither an address nor a CIDR. */
export function parseNetwork(entry: string): void {
  addNetwork(new BlockList(), entry);
}

function addNetwork(list: BlockList, entry: string): void {
  const [addr = '', bits, ...rest] = entry.trim().split('/');
  const family = isIP(unbracket(addr));
  if (family === 0 || rest.length > 0) throw new Error(`"${entry}" is not an address or CIDR`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) {
    list.addAddress(unbracket(addr), type);
    return;
  }
  const prefix = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`"${entry}" has a bad prefix length`);
  }
  list.addSubnet(unbracket(addr), prefix, type);
}

const DENY_LISTS = new Map<[string, number, string][], BlockList[]>();

function deniedReason(
  ip: string,
  table: [string, number, string][],
  type: 'ipv4' | 'ipv6',
): string | null {
  let lists = DENY_LISTS.get(table);
  if (lists === undefined) {
    lists = table.map(([net, bits]) => {
      const l = new BlockList();
      l.addSubnet(net, bits, type);
      return l;
    });
    DENY_LISTS.set(table, lists);
  }
  const i = lists.findIndex((l) => l.check(ip, type));
  return i < 0 ? null : `${ip} is ${table[i]![2]}`;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The IPv4 address carried inside an IPv6 one that reaches it: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d) or the well-known NAT64 prefix (64:ff9b::a.b.c.d).
 */
function embeddedIPv4(ip: string): string | null {
  const words = ipv6Words(ip);
  if (words === null) return null;
  const zeroHead = words.slice(0, 5).every((w) => w === 0);
  const mapped = zeroHead && (words[5] === 0xffff || words[5] === 0);
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  if (!mapped && !nat64) return null;
  if (zeroHead && words[5] === 0 && words[6] === 0 && (words[7] ?? 0) <= 1) return null; // :: and ::1
  const hi = words[6]!;
  const lo = words[7]!;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function ipv6Words(ip: string): number[] | null {
  let text = ip.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text =
      text.slice(0, -dotted[1]!.length) +
      ((parts[0]! << 8) | parts[1]!).toString(16) +
      ':' +
      ((parts[2]! << 8) | parts[3]!).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const words = [...head, ...Array<string>(fill).fill('0'), ...tail].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : null;
}
