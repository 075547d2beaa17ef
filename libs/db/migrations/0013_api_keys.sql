-- API keys: only a SHA-256 of each token is kept, so a copy of this table grants nothing.
-- The prefix (the token's first characters) lets people tell keys apart in a listing.
CREATE TABLE api_keys (
  id          uuid        PRIMARY KEY,
  name        text        NOT NULL,
  prefix      text        NOT NULL,
  token_hash  bytea       NOT NULL UNIQUE,
  scopes      text[]      NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
