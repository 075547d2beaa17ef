import type { FanoutEvent } from '../events/fanoutEvent.ts';
import { CONTENT_TYPE_HEADER, EVENT_ID_HEADER } from '../events/recordHeaders.ts';
import type { OutgoingRecord } from '../kafka/eventProducer.ts';

export interface DeadLetterReason {
  attempts: number;
  status: number | null;
  error: string;
}

/**
 * The dead-letter copy of an event: same key, value, id and content type, plus headers that say
 * where it came from and why it was given up on — enough to replay it or to debug the endpoint.
 */
export function deadLetterRecord(event: FanoutEvent, reason: DeadLetterReason): OutgoingRecord {
  return {
    key: event.key,
    value: event.body,
    headers: {
      [EVENT_ID_HEADER]: event.id,
      [CONTENT_TYPE_HEADER]: event.contentType,
      'fanout-dlq-original-topic': event.topic,
      'fanout-dlq-original-partition': String(event.partition),
      'fanout-dlq-original-offset': event.offset,
      'fanout-dlq-attempts': String(reason.attempts),
      'fanout-dlq-last-status': reason.status === null ? 'none' : String(reason.status),
      'fanout-dlq-last-error': reason.error.slice(0, 1024),
      'fanout-dlq-at': new Date().toISOString(),
    },
  };
}
