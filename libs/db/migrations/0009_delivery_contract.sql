-- What a subscription does with an event whose retries ran out, its optional rate cap and
-- batching; events parked by `onExhausted: hold` until an operator releases them; and, per
-- partition, where the gap-detectable sequence (fanout-seq / fanout-prev-id) stands.
ALTER TABLE subscriptions
  ADD COLUMN on_exhausted          text    NOT NULL DEFAULT 'dead-letter'
    CHECK (on_exhausted IN ('dead-letter', 'hold')),
  ADD COLUMN rate_limit_per_second integer CHECK (rate_limit_per_second BETWEEN 1 AND 100000),
  ADD COLUMN batch_max_events      integer CHECK (batch_max_events BETWEEN 1 AND 1000),
  ADD COLUMN batch_max_wait_ms     integer CHECK (batch_max_wait_ms BETWEEN 0 AND 60000);

CREATE TABLE held_events (
  subscription_id uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  partition       integer     NOT NULL,
  "offset"        bigint      NOT NULL,
  event_id        text        NOT NULL,
  key             text,
  attempts        integer     NOT NULL,
  last_status     integer,
  last_error      text        NOT NULL,
  held_at         timestamptz NOT NULL DEFAULT now(),
  -- set by the operator; the bridge acts on it and deletes the row
  release_action  text CHECK (release_action IN ('retry', 'dead-letter')),
  released_at     timestamptz,
  PRIMARY KEY (subscription_id, partition, "offset")
);

CREATE TABLE delivery_sequences (
  subscription_id uuid    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  partition       integer NOT NULL,
  -- the state after every event below next_offset: the next sequence number and the id of the
  -- last event delivered (null before the first)
  next_offset     bigint  NOT NULL,
  next_seq        bigint  NOT NULL,
  prev_event_id   text,
  PRIMARY KEY (subscription_id, partition)
);
