-- The sequence state is saved at each commit point, a few points kept: a crash between saving
-- the point and committing the offset still finds the point the group restarts from.
DROP TABLE delivery_sequences;

CREATE TABLE sequence_points (
  subscription_id uuid    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  partition       integer NOT NULL,
  -- the state after every event below next_offset: the next sequence number and the id of the
  -- last event delivered before it (null when there was none)
  next_offset     bigint  NOT NULL,
  next_seq        bigint  NOT NULL,
  prev_event_id   text,
  PRIMARY KEY (subscription_id, partition, next_offset)
);
