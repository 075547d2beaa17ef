-- The lease query finds, per subscription and partition, the head row (lowest unsettled offset)
-- by a skip scan of deliveries_unsettled, instead of walking every due row and probing for an
-- earlier one: a backlog behind a slow head costs nothing per lease. For 'key' ordering, the
-- probe for an earlier row with the same key uses this index (null keys share one lane).
CREATE INDEX deliveries_unsettled_by_key
  ON deliveries (subscription_id, partition, (COALESCE(ordering_key, '')), kafka_offset)
  WHERE status IN ('pending', 'in_flight');
