import { readFileSync } from 'node:fs';
import { isLogLevel, type LogLevel } from '../log/logger.ts';
import { parseNetwork } from '../net/addressPolicy.ts';

/**
 * Every setting Fanout reads from the environment, in one table: the name, the default that
 * works on the local stack, what it means, and how it is parsed and bounded. The config
 * loader, its types and the configuration reference are all derived from this table.
 */
export interface Setting<T> {
  env: string;
  default: string;
  description: string;
  parse: Parser<T>;
}

/** A parser that may say, in words, what it accepts; the configuration reference prints it. */
export type Parser<T> = ((raw: string) => T) & { accepts?: string };

function accepting<T>(accepts: string, parse: (raw: string) => T): Parser<T> {
  return Object.assign(parse, { accepts });
}

function integer(min: number, max: number): Parser<number> {
  return accepting(`integer ${min}–${max}`, (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  });
}

function url(protocols: string[]): Parser<string> {
  return accepting(`URL (${protocols.join(' or ')})`, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`must be a URL, got "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return raw;
  });
}

function optionalUrl(protocols: string[]): Parser<string | null> {
  return accepting(`empty, or URL (${protocols.join(' or ')})`, (raw) =>
    raw.trim() === '' ? null : url(protocols)(raw.trim()),
  );
}

const brokerList = accepting('comma-separated host:port list', (raw: string): string[] => {
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('must list at least one host:port');
  for (const b of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw new Error(`"${b}" is not host:port`);
  }
  return brokers;
});

const logLevel = accepting('debug, info, warn or error', (raw: string): LogLevel => {
  if (!isLogLevel(raw)) throw new Error(`must be one of debug, info, warn, error, got "${raw}"`);
  return raw;
});

// Kafka's own rule for group ids is looser; this keeps them to what tools print and quote safely.
const groupId = accepting(
  '1 to 249 of letters, digits, ".", "_" and "-"',
  (raw: string): string => {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw)) throw new Error('not a group id');
    return raw;
  },
);

function decimal(min: number, max: number): Parser<number> {
  return accepting(`number ${min}–${max}`, (raw) => {
    if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new Error(`must be a number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  });
}

const boolean = accepting('true or false', (raw: string): boolean => {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`must be true or false, got "${raw}"`);
});

const host = accepting('non-empty string', (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw.trim();
});

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return accepting(values.join(' or '), (raw) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  });
}

/** A secret: never echoed in an error, since config errors are logged. */
function optionalSecret(minLength: number): Parser<string | null> {
  return accepting(`empty, or at least ${minLength} characters`, (raw) => {
    if (raw === '') return null;
    if (raw.length < minLength) throw new Error(`must be at least ${minLength} characters`);
    return raw;
  });
}

const networkList = accepting(
  'comma-separated addresses or CIDRs (IPv4 or IPv6)',
  (raw: string): string[] => {
    const entries = raw
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    for (const e of entries) parseNetwork(e);
    return entries;
  },
);

/** A PEM file of certificates, read once at start-up; empty: none. */
const optionalPemFile = accepting('empty, or path of a PEM certificate file', (raw: string) => {
  if (raw.trim() === '') return null;
  let pem: string;
  try {
    pem = readFileSync(raw.trim(), 'utf8');
  } catch (err) {
    throw new Error(`cannot read "${raw}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: err,
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`"${raw}" holds no PEM certificate`);
  }
  return pem;
});

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const saslMechanism = accepting(
  `empty (no SASL), or ${SASL_MECHANISMS.join(', ')}`,
  (raw: string): SaslMechanism | null => {
    if (raw.trim() === '') return null;
    const m = raw.trim().toLowerCase();
    if (!(SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new Error(`must be one of ${SASL_MECHANISMS.join(', ')}, got "${raw}"`);
    }
    return m as SaslMechanism;
  },
);

const optionalText = accepting('any string; empty for none', (raw: string) =>
  raw === '' ? null : raw,
);

export const SETTINGS = {
  apiHost: {
    env: 'FANOUT_API_HOST',
    default: '127.0.0.1',
    description: 'Address the HTTP API binds to. Loopback by default; set 0.0.0.0 in a container.',
    parse: host,
  },
  apiPort: {
    env: 'FANOUT_API_PORT',
    default: '8080',
    description: 'Port of the HTTP API (admin, produce, health).',
    parse: integer(0, 65535),
  },
  healthPort: {
    env: 'FANOUT_HEALTH_PORT',
    default: '0',
    description:
      'Port on which the bridge and the router answer /healthz and /readyz for probes (on FANOUT_API_HOST); 0 serves none. The api answers both on its own port.',
    parse: integer(0, 65535),
  },
  apiAuth: {
    env: 'FANOUT_API_AUTH',
    default: 'open',
    description:
      "'keys': every API request but /healthz, /readyz and the dashboard's static files needs an API key (Authorization: Bearer) whose scope covers it. 'open': no authentication, for a local stack only — refused unless FANOUT_API_HOST is a loopback address, and logged loudly.",
    parse: oneOf(['open', 'keys'] as const),
  },
  bootstrapApiKey: {
    env: 'FANOUT_BOOTSTRAP_API_KEY',
    default: '',
    description:
      'An admin API key taken from configuration rather than the database, to create the first keys through the API (then it may be removed). At least 32 characters of high entropy, e.g. `openssl rand -base64 32`. With FANOUT_API_AUTH=keys the api refuses to start when neither this nor an admin key in the database exists.',
    parse: optionalSecret(32),
  },
  apiKeyCacheMs: {
    env: 'FANOUT_API_KEY_CACHE_MS',
    default: '5000',
    description:
      'How long an api process trusts a key it has checked before asking PostgreSQL again; a key revoked through another api process stops working there within this time (at once in the process that revoked it). 0 asks on every request.',
    parse: integer(0, 600000),
  },
  produceTimeoutMs: {
    env: 'FANOUT_PRODUCE_TIMEOUT_MS',
    default: '10000',
    description:
      'Longest a produce request waits for Kafka to acknowledge (acks=all) before answering 503 FANOUT_KAFKA_UNAVAILABLE. Such a write may still land: retry it, and let the event id dedupe.',
    parse: integer(100, 300000),
  },
  maxBodyBytes: {
    env: 'FANOUT_MAX_BODY_BYTES',
    default: '1048576',
    description: 'Largest request body the API accepts; larger ones get 413.',
    parse: integer(1024, 64 * 1024 * 1024),
  },
  maxBatchEvents: {
    env: 'FANOUT_MAX_BATCH_EVENTS',
    default: '1000',
    description: 'Most events one produce request may carry.',
    parse: integer(1, 100000),
  },
  kafkaBrokers: {
    env: 'FANOUT_KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    description: 'Comma-separated Kafka bootstrap servers.',
    parse: brokerList,
  },
  kafkaClientId: {
    env: 'FANOUT_KAFKA_CLIENT_ID',
    default: 'fanout',
    description: 'Kafka client.id prefix, shown in broker logs and quotas.',
    parse: host,
  },
  databaseUrl: {
    env: 'FANOUT_DATABASE_URL',
    default: 'postgres://postgres@127.0.0.1:5432/fanout',
    description: 'PostgreSQL connection URL; the database is created if missing.',
    parse: url(['postgres:', 'postgresql:']),
  },
  redisUrl: {
    env: 'FANOUT_REDIS_URL',
    default: 'redis://127.0.0.1:6379/0',
    description: 'Redis URL for dedupe keys.',
    parse: url(['redis:', 'rediss:']),
  },
  dedupeTtlSeconds: {
    env: 'FANOUT_DEDUPE_TTL_SECONDS',
    default: '604800',
    description:
      'How long a delivered (subscription, event id) mark is kept in Redis. Replays older than this may be pushed again.',
    parse: integer(60, 90 * 24 * 3600),
  },
  registryRefreshMs: {
    env: 'FANOUT_REGISTRY_REFRESH_MS',
    default: '2000',
    description:
      'How often a bridge (and the router) checks PostgreSQL for changed subscriptions and routes, to start or stop workers. A check that finds nothing changed reads one row.',
    parse: integer(100, 60000),
  },
  commitIntervalMs: {
    env: 'FANOUT_COMMIT_INTERVAL_MS',
    default: '1000',
    description:
      'How often a bridge commits acknowledged offsets inside a long batch (always at batch end and on shutdown).',
    parse: integer(10, 60000),
  },
  sessionTimeoutMs: {
    env: 'FANOUT_KAFKA_SESSION_TIMEOUT_MS',
    default: '30000',
    description:
      "How long Kafka waits for a silent bridge before giving its partitions to another; bounds the pause after a crash. Must lie within the broker's group.min/max.session.timeout.ms.",
    parse: integer(6000, 300000),
  },
  maxQueuedPerPartition: {
    env: 'FANOUT_BRIDGE_MAX_QUEUED_PER_PARTITION',
    default: '1000',
    description:
      'Fetched events a bridge holds per partition of a subscription before it pauses fetching that partition (bounds memory).',
    parse: integer(1, 1000000),
  },
  circuitFailureThreshold: {
    env: 'FANOUT_CIRCUIT_FAILURE_THRESHOLD',
    default: '10',
    description:
      "Consecutive failed attempts of one subscription that open its circuit: its state turns 'failing', it stops fetching and probes with one event at growing intervals.",
    parse: integer(1, 100000),
  },
  circuitErrorPercent: {
    env: 'FANOUT_CIRCUIT_ERROR_PERCENT',
    default: '50',
    description:
      'Share of failed attempts (in percent) over the error window that also opens a circuit, once the window holds FANOUT_CIRCUIT_MIN_ATTEMPTS attempts: catches endpoints that fail often but not in a row. 0 turns the ratio trigger off.',
    parse: integer(0, 100),
  },
  circuitErrorWindowMs: {
    env: 'FANOUT_CIRCUIT_ERROR_WINDOW_MS',
    default: '60000',
    description: 'The sliding window over which the circuit measures its error share.',
    parse: integer(1000, 3600000),
  },
  circuitMinAttempts: {
    env: 'FANOUT_CIRCUIT_MIN_ATTEMPTS',
    default: '20',
    description:
      'Attempts the error window must hold before its error share can open the circuit (a few failures of a quiet subscription are not a trend).',
    parse: integer(1, 1000000),
  },
  circuitProbeMaxMs: {
    env: 'FANOUT_CIRCUIT_PROBE_MAX_MS',
    default: '60000',
    description:
      'Longest wait between two probes of an open circuit (the first waits 1 s, then doubling).',
    parse: integer(100, 3600000),
  },
  lagIntervalMs: {
    env: 'FANOUT_LAG_INTERVAL_MS',
    default: '5000',
    description:
      "How often the api samples every subscription's committed and log-end offsets for lag, its evaluation and metrics.",
    parse: integer(100, 600000),
  },
  lagWindowMs: {
    env: 'FANOUT_LAG_WINDOW_MS',
    default: '60000',
    description:
      "The window lag is evaluated over: 'lagging' means lag grew across it, 'stalled' that the committed offset did not move in it while behind. A group with nothing to read has its offsets asked once per window.",
    parse: integer(1000, 3600000),
  },
  alertWebhookUrl: {
    env: 'FANOUT_ALERT_WEBHOOK_URL',
    default: '',
    description:
      'Optional http(s) URL that receives a JSON POST when a circuit opens or closes or a subscription is disabled; empty for none.',
    parse: optionalUrl(['http:', 'https:']),
  },
  routerMaxSubscriptions: {
    env: 'FANOUT_ROUTER_MAX_SUBSCRIPTIONS',
    default: '64',
    description:
      'A topic with more delivering subscriptions than this stays in read fan-out (a consumer group per subscription). 64 is the largest count bench/routingCost.ts measured write fan-out at; the CPU crossover did not depend on the count up to there.',
    parse: integer(0, 1000000),
  },
  routerMaxEventsPerSecond: {
    env: 'FANOUT_ROUTER_MAX_EVENTS_PER_SECOND',
    default: '0.5',
    description:
      "A topic producing more events per second than this stays in read fan-out; at or below it (and within FANOUT_ROUTER_MAX_SUBSCRIPTIONS) it moves to write fan-out (delivery rows). bench/routingCost.ts measured the crossover at about 0.9 events/s: below it, an idle consumer group per subscription costs more CPU than the rows' extra cost per delivery; 0.5 leaves room for the rate's measurement noise.",
    parse: decimal(0, 10000000),
  },
  routerDecideIntervalMs: {
    env: 'FANOUT_ROUTER_DECIDE_INTERVAL_MS',
    default: '10000',
    description:
      "How often the router measures each topic's event rate and subscriptions and moves topics through a switch.",
    parse: integer(100, 3600000),
  },
  routerMinDwellMs: {
    env: 'FANOUT_ROUTER_MIN_DWELL_MS',
    default: '300000',
    description:
      'Shortest time a topic stays in a mode before the decision may switch it again (pinning by an operator is applied at once); keeps a topic near a threshold from flapping.',
    parse: integer(0, 86400000),
  },
  routerGroupId: {
    env: 'FANOUT_ROUTER_GROUP_ID',
    default: 'fanout.router',
    description:
      "The Kafka consumer group of this deployment's routers. Two deployments sharing a Kafka cluster (staging and production, say) need different ones: otherwise each one's routers take over partitions of the other's topics.",
    parse: groupId,
  },
  routerAuto: {
    env: 'FANOUT_ROUTER_AUTO',
    default: 'true',
    description:
      'Whether the router moves topics between modes by the thresholds (true) or only as operators pin them (false).',
    parse: boolean,
  },
  deliveryWorkerConcurrency: {
    env: 'FANOUT_DELIVERY_WORKER_CONCURRENCY',
    default: '64',
    description:
      "Requests one router process has in flight at once. A 'partition' run (a head and the rows behind it, delivered one after another) is one of them.",
    parse: integer(1, 10000),
  },
  deliveryLeaseMs: {
    env: 'FANOUT_DELIVERY_LEASE_MS',
    default: '60000',
    description:
      "How long a worker holds a leased delivery row; the sweeper returns it to pending after that. A worker starts no attempt it cannot finish within its lease (the subscription's timeout).",
    parse: integer(1000, 3600000),
  },
  deliveryRunLength: {
    env: 'FANOUT_DELIVERY_RUN_LENGTH',
    default: '16',
    description:
      "Rows of one partition (in 'partition' ordering) a worker leases together behind its head and delivers in order: one lease query serves that many deliveries.",
    parse: integer(1, 1000),
  },
  deliveryPollMs: {
    env: 'FANOUT_DELIVERY_POLL_MS',
    default: '200',
    description:
      'How long an idle delivery worker waits before looking for due rows again (a busy one looks again at once). Each look that finds nothing doubles the wait, up to 8 times this; rows its own router makes, a subscription change and its own retries falling due wake it at once.',
    parse: integer(10, 60000),
  },
  deliverySweepMs: {
    env: 'FANOUT_DELIVERY_SWEEP_MS',
    default: '5000',
    description: 'How often the sweeper returns rows whose lease expired, and prunes old rows.',
    parse: integer(100, 3600000),
  },
  deliveredRetentionMs: {
    env: 'FANOUT_DELIVERED_RETENTION_MS',
    default: '3600000',
    description:
      'How long delivered rows (and payloads no row needs) are kept before pruning, in batches.',
    parse: integer(0, 90 * 24 * 3600 * 1000),
  },
  schemaRegistryUrl: {
    env: 'FANOUT_SCHEMA_REGISTRY_URL',
    default: '',
    description:
      "Optional http(s) URL of a Confluent-compatible schema registry (Confluent's REST API, e.g. Apicurio's /apis/ccompat/v7). Topics may then name a schema subject: the produce API validates and encodes with it, and subscriptions may ask for decoded JSON. Empty: no registry.",
    parse: optionalUrl(['http:', 'https:']),
  },
  endpointAllowedNetworks: {
    env: 'FANOUT_ENDPOINT_ALLOWED_NETWORKS',
    default: '',
    description:
      'Networks webhook endpoints may be in although not public, e.g. `127.0.0.0/8,::1` for a local stack (`npm start` sets that). Otherwise endpoints resolving to private, loopback, link-local, CGNAT, cloud-metadata, multicast or reserved addresses (also inside IPv4-mapped IPv6) are refused at registration and again at connect time, after DNS resolution.',
    parse: networkList,
  },
  endpointCaFile: {
    env: 'FANOUT_ENDPOINT_CA_FILE',
    default: '',
    description:
      "PEM file of CA certificates trusted for https endpoints besides the system's roots (e.g. a company CA). Certificates are always verified.",
    parse: optionalPemFile,
  },
  endpointMaxResponseBytes: {
    env: 'FANOUT_ENDPOINT_MAX_RESPONSE_BYTES',
    default: '65536',
    description:
      "Most bytes of an endpoint's response body read; only the status counts, so a longer body is cut off with its connection.",
    parse: integer(0, 16 * 1024 * 1024),
  },
  kafkaSsl: {
    env: 'FANOUT_KAFKA_SSL',
    default: 'false',
    description:
      "Connect to Kafka over TLS, verifying the brokers' certificates (system roots, or FANOUT_KAFKA_SSL_CA_FILE).",
    parse: boolean,
  },
  kafkaSslCaFile: {
    env: 'FANOUT_KAFKA_SSL_CA_FILE',
    default: '',
    description: "PEM file of the CA that signed the brokers' certificates; implies TLS.",
    parse: optionalPemFile,
  },
  kafkaSaslMechanism: {
    env: 'FANOUT_KAFKA_SASL_MECHANISM',
    default: '',
    description:
      'SASL mechanism to authenticate to Kafka with (plain, scram-sha-256 or scram-sha-512), using FANOUT_KAFKA_SASL_USERNAME and FANOUT_KAFKA_SASL_PASSWORD; empty: none. Use with TLS outside a trusted network.',
    parse: saslMechanism,
  },
  kafkaSaslUsername: {
    env: 'FANOUT_KAFKA_SASL_USERNAME',
    default: '',
    description: 'SASL user name for Kafka.',
    parse: optionalText,
  },
  kafkaSaslPassword: {
    env: 'FANOUT_KAFKA_SASL_PASSWORD',
    default: '',
    description: 'SASL password for Kafka (keep it in a Secret, not a ConfigMap).',
    parse: optionalSecret(1),
  },
  logLevel: {
    env: 'FANOUT_LOG_LEVEL',
    default: 'info',
    description: 'Lowest log level written: debug, info, warn or error.',
    parse: logLevel,
  },
} satisfies Record<string, Setting<unknown>>;

export type Settings = typeof SETTINGS;
