/**
 * Names of the Kafka record headers Fanout writes and reads. Records written by any other
 * client are delivered too; these headers are optional on the way in.
 */
export const EVENT_ID_HEADER = 'fanout-event-id';
export const CONTENT_TYPE_HEADER = 'content-type';
/** What a record without a content-type header is delivered as: events are JSON by convention. */
export const DEFAULT_CONTENT_TYPE = 'application/json';
