-- An index of every subscription's dead letters, for the API: count, list, replay, discard.
-- The dead-letter topic (fanout.dlq.<id>) stays the durable record Kafka tools see; the body is
-- kept here too so a replay needs no read of that topic.
CREATE TABLE dead_letters (
  id                 bigserial PRIMARY KEY,
  subscription_id    uuid        NOT NULL,
  event_id           text        NOT NULL,
  original_topic     text        NOT NULL,
  original_partition integer     NOT NULL,
  original_offset    bigint      NOT NULL,
  dlq_partition      integer     NOT NULL,
  dlq_offset         bigint      NOT NULL,
  event_key          text,
  content_type       text        NOT NULL,
  body               bytea       NOT NULL,
  attempts           integer     NOT NULL,
  last_status        integer,
  last_error         text        NOT NULL,
  -- dead: waiting for an operator; replay_requested / replaying: being re-delivered;
  -- replayed: acknowledged on replay; discarded: dropped by an operator
  status             text        NOT NULL DEFAULT 'dead'
    CHECK (status IN ('dead', 'replay_requested', 'replaying', 'replayed', 'discarded')),
  lease_until        timestamptz,
  -- fences a replayer whose lease lapsed: only the holder of the current token may finish
  lease_token        uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_by_subscription ON dead_letters (subscription_id, status, id);
-- replayers look only for work to lease
CREATE INDEX dead_letters_to_replay ON dead_letters (id)
  WHERE status IN ('replay_requested', 'replaying');
