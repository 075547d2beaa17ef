-- `onExhausted: hold` in write fan-out. A held row stays 'pending' with next_attempt 'infinity':
-- it is still its partition's (or key's) first unsettled row, so everything behind it waits as
-- it does behind a bridge's held event, and no lease ever picks it. The operator's decision
-- lives in held_events, as for bridges; the router's sweeper applies it to the row. A release
-- to the dead letters makes the row due with this column set, and the worker that leases it
-- writes the dead letter instead of delivering.
ALTER TABLE deliveries
  ADD COLUMN release_action text CHECK (release_action IN ('dead-letter'));
