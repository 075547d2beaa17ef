-- Per-subscription retry policy, the disabled state, and durable retry state of events.
ALTER TABLE subscriptions
  ADD COLUMN retry_initial_ms   integer NOT NULL DEFAULT 500 CHECK (retry_initial_ms > 0),
  ADD COLUMN retry_max_ms       integer NOT NULL DEFAULT 300000 CHECK (retry_max_ms > 0),
  ADD COLUMN retry_multiplier   real    NOT NULL DEFAULT 2 CHECK (retry_multiplier >= 1),
  ADD COLUMN max_attempts       integer DEFAULT 20 CHECK (max_attempts IS NULL OR max_attempts > 0),
  ADD COLUMN max_age_ms         bigint  DEFAULT 86400000 CHECK (max_age_ms IS NULL OR max_age_ms > 0),
  ADD COLUMN timeout_ms         integer NOT NULL DEFAULT 10000 CHECK (timeout_ms > 0),
  ADD COLUMN disabled_reason    text;

ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_state_check;
ALTER TABLE subscriptions
  ADD CONSTRAINT subscriptions_state_check CHECK (state IN ('active', 'disabled', 'deleted'));

-- One row per event that failed at least once and is not settled yet. Kept in PostgreSQL so
-- the attempt count survives a crash, a rebalance or a move to another bridge process.
CREATE TABLE retry_state (
  subscription_id  uuid        NOT NULL,
  partition        integer     NOT NULL,
  kafka_offset     bigint      NOT NULL,
  attempts         integer     NOT NULL,
  first_attempt_at timestamptz NOT NULL,
  next_attempt_at  timestamptz NOT NULL,
  last_status      integer,
  last_error       text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, partition, kafka_offset)
);
