import type { Subscription } from '../registry/types.ts';
import { decodingPreparer } from '../schemas/decodingPreparer.ts';
import type { SchemaCodec } from '../schemas/schemaCodec.ts';
import type { Endpoint, SigningKey } from './postEvent.ts';
import { secretKey } from './signature.ts';

/**
 * Where and how a subscription's events are sent: its URL, the keys that sign — the current
 * secret, plus a rotated-out one until its overlap ends — whether as CloudEvents, and whether
 * schema-registry records are decoded first.
 */
export function endpointOf(
  sub: Subscription,
  extraHeaders?: Record<string, string>,
  schemas?: SchemaCodec | null,
): Endpoint {
  const signingKeys: SigningKey[] = [];
  if (sub.secret !== null) signingKeys.push({ key: secretKey(sub.secret), until: null });
  if (sub.previousSecret !== null) {
    signingKeys.push({
      key: secretKey(sub.previousSecret.secret),
      until: sub.previousSecret.expiresAt.getTime(),
    });
  }
  const endpoint: Endpoint = { url: sub.endpoint, signingKeys };
  if (extraHeaders !== undefined) endpoint.extraHeaders = extraHeaders;
  if (sub.format.cloudEvents !== null) endpoint.cloudEvents = sub.format.cloudEvents;
  // without a registry the API refuses `decoded`; one removed since delivers the bytes as stored
  if (sub.format.payload === 'decoded' && schemas) endpoint.prepare = decodingPreparer(schemas);
  return endpoint;
}
