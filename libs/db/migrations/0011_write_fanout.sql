-- Write fan-out (the hybrid router): per-topic routing, event payloads, one delivery row per
-- (event, subscription), and the offsets from which a subscription gets rows.

-- No row, or state 'read': the topic's subscriptions are delivered by bridges (read fan-out).
-- 'to_write': bridges are stopping; 'write': the router makes delivery rows; 'to_read': the
-- router stops at switch_offsets and rows drain, then bridges start from there.
CREATE TABLE topic_routes (
  topic                text PRIMARY KEY REFERENCES topics (name) ON DELETE CASCADE,
  state                text NOT NULL DEFAULT 'read'
    CHECK (state IN ('read', 'to_write', 'write', 'to_read')),
  -- an operator's choice that overrides the decision; null: decided from the figures below
  pinned               text CHECK (pinned IN ('read', 'write')),
  reason               text NOT NULL DEFAULT '',
  switch_offsets       jsonb,
  active_subscriptions integer,
  events_per_second    double precision,
  state_since          timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Each payload once per event, however many subscriptions get a row for it: workers join it
-- instead of fetching from Kafka by coordinates (see libs/deliveries/insertDeliveries.ts).
CREATE TABLE events (
  topic        text        NOT NULL,
  partition    integer     NOT NULL,
  kafka_offset bigint      NOT NULL,
  event_id     text        NOT NULL,
  event_key    text,
  content_type text        NOT NULL,
  -- the record's headers (first value of each, as text): CloudEvents attributes travel in them
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  body         bytea       NOT NULL,
  produced_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, kafka_offset)
);

CREATE TABLE deliveries (
  id               bigserial   PRIMARY KEY,
  subscription_id  uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  topic            text        NOT NULL,
  partition        integer     NOT NULL,
  kafka_offset     bigint      NOT NULL,
  event_id         text        NOT NULL,
  -- the event's key, for 'key' ordering
  ordering_key     text,
  status           text        NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'in_flight', 'delivered', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  first_attempt_at timestamptz,
  next_attempt     timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,
  -- fences a worker whose lease lapsed: only the holder of the current token may settle the row
  lease_token      uuid,
  lease_expires    timestamptz,
  last_status      integer,
  last_error       text,
  dead_letter_id   bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  -- (event, subscription): a subscription has one topic, so partition and offset name the event;
  -- the router's inserts are idempotent on it
  UNIQUE (subscription_id, partition, kafka_offset)
);
-- the lease query walks due rows in next_attempt order
CREATE INDEX deliveries_due ON deliveries (next_attempt) WHERE status = 'pending';
-- ordering ("no earlier unsettled row of this subscription and partition"), drain and lag
CREATE INDEX deliveries_unsettled ON deliveries (subscription_id, partition, kafka_offset)
  WHERE status IN ('pending', 'in_flight');
-- the sweeper
CREATE INDEX deliveries_leased ON deliveries (lease_expires) WHERE status = 'in_flight';
-- rows of an event: pruning its payload, draining a topic before it leaves write fan-out
CREATE INDEX deliveries_event ON deliveries (topic, partition, kafka_offset);
-- pruning
CREATE INDEX deliveries_delivered ON deliveries (delivered_at) WHERE status = 'delivered';
CREATE INDEX deliveries_failed ON deliveries (dead_letter_id) WHERE status = 'failed';

-- Per subscription and partition, the first offset that gets a delivery row (the bridge's
-- committed offset when the topic moved to write fan-out). Without a row: the subscription's
-- start offsets.
CREATE TABLE write_floors (
  subscription_id uuid    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  partition       integer NOT NULL,
  kafka_offset    bigint  NOT NULL,
  PRIMARY KEY (subscription_id, partition)
);
