-- 'failing': the subscription's circuit is open; 'paused': an operator stopped its deliveries.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_state_check;
ALTER TABLE subscriptions
  ADD CONSTRAINT subscriptions_state_check
  CHECK (state IN ('active', 'failing', 'paused', 'disabled', 'deleted'));
