-- Topics and subscriptions: the registry every service reads.
CREATE TABLE topics (
  name        text PRIMARY KEY,
  partitions  integer NOT NULL CHECK (partitions > 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
  id             uuid PRIMARY KEY,
  topic          text NOT NULL REFERENCES topics (name),
  endpoint       text NOT NULL,
  secret         text,
  start_from     text NOT NULL CHECK (start_from IN ('latest', 'earliest')),
  -- offsets the subscription's consumer group was set to when it was created, per partition
  start_offsets  jsonb NOT NULL DEFAULT '{}'::jsonb,
  state          text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'deleted')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz
);

-- bridges poll for live subscriptions; deleted ones are kept for audit
CREATE INDEX subscriptions_live_idx ON subscriptions (topic) WHERE state <> 'deleted';
