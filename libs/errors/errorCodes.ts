/**
 * The closed set of error codes Fanout returns. Each code keeps its meaning forever:
 * clients branch on `code`, never on `message`. The HTTP status lives here so the API
 * maps errors in one place.
 */
export const ERROR_CODES = {
  FANOUT_VALIDATION: { status: 400, retriable: false },
  FANOUT_MALFORMED_JSON: { status: 400, retriable: false },
  FANOUT_ENDPOINT_NOT_ALLOWED: { status: 400, retriable: false },
  FANOUT_UNAUTHENTICATED: { status: 401, retriable: false },
  FANOUT_FORBIDDEN: { status: 403, retriable: false },
  FANOUT_NOT_FOUND: { status: 404, retriable: false },
  FANOUT_TOPIC_NOT_FOUND: { status: 404, retriable: false },
  FANOUT_SUBSCRIPTION_NOT_FOUND: { status: 404, retriable: false },
  FANOUT_SCHEMA_NOT_FOUND: { status: 404, retriable: false },
  FANOUT_TOPIC_EXISTS: { status: 409, retriable: false },
  FANOUT_SUBSCRIPTION_BUSY: { status: 409, retriable: true },
  FANOUT_PAYLOAD_TOO_LARGE: { status: 413, retriable: false },
  FANOUT_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  FANOUT_HEADERS_TOO_LARGE: { status: 431, retriable: false },
  FANOUT_KAFKA_UNAVAILABLE: { status: 503, retriable: true },
  FANOUT_DEPENDENCY_UNAVAILABLE: { status: 503, retriable: true },
  FANOUT_SCHEMA_REGISTRY_UNAVAILABLE: { status: 503, retriable: true },
  FANOUT_CONFIG_INVALID: { status: 500, retriable: false },
  FANOUT_INTERNAL: { status: 500, retriable: false },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;
