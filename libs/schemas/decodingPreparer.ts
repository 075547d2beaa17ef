import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { SchemaCodec } from './schemaCodec.ts';

/**
 * For subscriptions that take `decoded` payloads: a record in the schema registry's wire format
 * is delivered as its JSON value (`application/json`); any other record passes unchanged. A
 * registry that cannot answer fails the attempt, which is retried like an endpoint failure.
 */
export function decodingPreparer(codec: SchemaCodec): (event: FanoutEvent) => Promise<FanoutEvent> {
  return async (event) => {
    const value = await codec.decode(event.body);
    if (value === undefined) return event;
    return {
      ...event,
      body: Buffer.from(JSON.stringify(value), 'utf8'),
      contentType: 'application/json',
    };
  };
}
