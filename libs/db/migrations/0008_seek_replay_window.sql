-- After a seek backwards: per partition, the offset the subscription had reached before it.
-- Events below it are replays (marked so, and pushed again despite dedupe if asked).
ALTER TABLE subscriptions
  ADD COLUMN replay_until     jsonb   NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN replay_redeliver boolean NOT NULL DEFAULT false;
