-- fanout-seq / fanout-prev-id in write fan-out: the router numbers a subscription's rows of a
-- partition as it makes them, in offset order, continuing the bridge's sequence point at the
-- floor and leaving one at each batch's end (sequence_points, as bridges do at each commit), so
-- numbers run on across switches between modes. Null on rows made before this migration.
ALTER TABLE deliveries
  ADD COLUMN seq           bigint,
  ADD COLUMN prev_event_id text;
