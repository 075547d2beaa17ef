-- The secret a rotation replaced stays valid (deliveries carry both signatures) until it expires.
ALTER TABLE subscriptions
  ADD COLUMN previous_secret            text,
  ADD COLUMN previous_secret_expires_at timestamptz;
