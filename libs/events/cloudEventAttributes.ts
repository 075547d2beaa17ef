import { headerString, type FanoutEvent } from './fanoutEvent.ts';

/** CloudEvents 1.0 context attributes of one event, as strings (extensions included). */
export type CloudEventAttributes = Record<string, string> & {
  specversion: string;
  id: string;
  source: string;
  type: string;
};

/** What an event that carries no `ce_type` is typed as. */
export const DEFAULT_CLOUD_EVENT_TYPE = 'fanout.event';
// Kafka protocol binding, binary mode: each attribute travels as a `ce_<name>` record header.
const KAFKA_PREFIX = 'ce_';
// Attribute names are lower-case ASCII letters and digits (CloudEvents 1.0, "Attribute Naming").
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
// Set from the delivery itself, never from a header: the body's media type and its encoding.
const NOT_FROM_HEADERS = new Set(['datacontenttype', 'data', 'data_base64']);

/**
 * The CloudEvents attributes of an event. A record produced as a CloudEvent (Kafka binary mode,
 * `ce_*` headers) keeps every attribute it carries; the rest are filled from what Fanout knows:
 * `id` is the event id, `source` names the topic, `time` is the record timestamp, and the record
 * key becomes the `partitionkey` extension of the Kafka binding.
 */
export function cloudEventAttributesOf(event: FanoutEvent): CloudEventAttributes {
  const fromHeaders: Record<string, string> = {};
  for (const name of Object.keys(event.headers ?? {})) {
    if (!name.toLowerCase().startsWith(KAFKA_PREFIX)) continue;
    const attribute = name.slice(KAFKA_PREFIX.length).toLowerCase();
    const value = headerString(event.headers, name);
    if (!ATTRIBUTE_NAME.test(attribute) || NOT_FROM_HEADERS.has(attribute)) continue;
    if (value !== undefined && value !== '') fromHeaders[attribute] = value;
  }
  const attributes: CloudEventAttributes = {
    id: event.id,
    source: `/fanout/topics/${encodeURIComponent(event.topic)}`,
    type: DEFAULT_CLOUD_EVENT_TYPE,
    time: new Date(event.timestampMs).toISOString(),
    ...(event.key === null ? {} : { partitionkey: event.key }),
    ...fromHeaders,
    // this is the version Fanout speaks, whatever a producer wrote
    specversion: '1.0',
  };
  return attributes;
}
