import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { AddressPolicy } from './addressPolicy.ts';
import { guardedLookup, REFUSED_CODE } from './guardedLookup.ts';

export interface EndpointTransportOptions {
  /** CIDRs or addresses that may be called although not public (e.g. loopback in tests). */
  allow: readonly string[];
  /** PEM certificates trusted for https endpoints besides the system's roots. */
  extraCa: string | null;
  /** Most bytes of a response body read; the rest is dropped with the connection. */
  maxResponseBytes: number;
}

export const DEFAULT_TRANSPORT_OPTIONS: EndpointTransportOptions = {
  allow: [],
  extraCa: null,
  maxResponseBytes: 64 * 1024,
};

/** How long registration waits for DNS before leaving the check to connect time. */
const REGISTRATION_DNS_TIMEOUT_MS = 2000;

/**
 * The rules for calling subscribers' endpoints: the address policy (applied to literal
 * addresses before any connection and, through `lookup`, to every address DNS gives for a
 * name), the CAs https is verified against, and how much of an answer is read. The HTTP client
 * (delivery/httpPost.ts) applies them to every connection it opens.
 */
export class EndpointTransport {
  readonly policy: AddressPolicy;
  readonly maxResponseBytes: number;
  /** For net/tls.connect: resolves a name and refuses disallowed addresses. */
  readonly lookup: ReturnType<typeof guardedLookup>;
  /** For tls.connect: the system's roots plus the extra CA; undefined keeps Node's default. */
  readonly ca: string[] | undefined;

  constructor(options: EndpointTransportOptions = DEFAULT_TRANSPORT_OPTIONS) {
    this.policy = new AddressPolicy(options.allow);
    this.maxResponseBytes = options.maxResponseBytes;
    this.lookup = guardedLookup(this.policy);
    // `ca` replaces the default roots, so the system's are passed along
    this.ca = options.extraCa === null ? undefined : [...rootCertificates, options.extraCa];
  }

  /** Why a URL may not be called, judged without DNS: scheme, credentials, literal address. */
  urlRefusal(raw: string): string | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'not an absolute URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `scheme ${url.protocol} is not http or https`;
    }
    if (url.username !== '' || url.password !== '') return 'credentials in the URL';
    // the URL parser has already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) return this.policy.refusal(host);
    return null;
  }

  /** Throws the refusal of `urlRefusal` as the error a refused connection fails with. */
  assertUrlAllowed(raw: string): void {
    const refusal = this.urlRefusal(raw);
    if (refusal !== null) {
      throw Object.assign(new Error(`endpoint refused: ${refusal}`), { code: REFUSED_CODE });
    }
  }

  /**
   * The check at registration: the URL, then every address its name resolves to now. A name
   * that does not resolve yet is accepted; the connect-time check still applies.
   */
  async registrationRefusal(raw: string): Promise<string | null> {
    const refusal = this.urlRefusal(raw);
    if (refusal !== null) return refusal;
    const host = new URL(raw).hostname;
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return null;
    let timer: NodeJS.Timeout | undefined;
    const addresses = await Promise.race([
      lookup(host, { all: true }).catch(() => []),
      new Promise<[]>((resolve) => {
        timer = setTimeout(() => resolve([]), REGISTRATION_DNS_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    for (const a of addresses) {
      const why = this.policy.refusal(a.address);
      if (why !== null) return `${host} resolves to a refused address: ${why}`;
    }
    return null;
  }
}

let current: EndpointTransport | undefined;

/**
 * The process's endpoint rules. Process-wide on purpose: they come from settings read once at
 * start-up (createRuntime installs them), and every delivery path — bridge, router, dead-letter
 * replay — must apply the same ones without each threading them through.
 */
export function endpointTransport(): EndpointTransport {
  current ??= new EndpointTransport();
  return current;
}

export function useEndpointTransport(transport: EndpointTransport): void {
  current = transport;
}
