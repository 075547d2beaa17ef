import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { AddressPolicy } from './addressPolicy.ts';

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The error a refused address fails the connection with; its code marks it as ours. */
export const REFUSED_CODE = 'FANOUT_ENDPOINT_REFUSED';

/**
 * A `lookup` for net/tls.connect that resolves the name and refuses the connection when any
 * address it resolves to is not allowed. Checking here, on the addresses the socket is about
 * to use, catches DNS rebinding: a name that was public at registration and points at
 * 169.254.169.254 by the time of delivery.
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const refusal = policy.refusal(a.address);
        if (refusal !== null) {
          const refused: NodeJS.ErrnoException = new Error(
            `${hostname} resolves to a refused address: ${refusal}`,
          );
          refused.code = REFUSED_CODE;
          return callback(refused, []);
        }
      }
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined)
        return callback(
          Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }),
          [],
        );
      callback(null, first.address, first.family);
    });
  };
  return lookup as LookupFunction;
}
