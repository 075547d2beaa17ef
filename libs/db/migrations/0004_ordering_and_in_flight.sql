-- How a subscription orders its deliveries, and how many requests it may have in flight.
ALTER TABLE subscriptions
  ADD COLUMN ordering      text    NOT NULL DEFAULT 'partition'
    CHECK (ordering IN ('partition', 'key', 'none')),
  ADD COLUMN max_in_flight integer NOT NULL DEFAULT 32 CHECK (max_in_flight BETWEEN 1 AND 1000);
