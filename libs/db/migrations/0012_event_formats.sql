-- How a subscription receives events: as plain webhooks or CloudEvents (binary or structured
-- HTTP mode), and with schema-registry records passed through raw or decoded to JSON. A topic
-- may name the schema-registry subject its values are written with.
ALTER TABLE subscriptions
  ADD COLUMN cloud_events   text CHECK (cloud_events IN ('binary', 'structured')),
  ADD COLUMN payload_format text NOT NULL DEFAULT 'raw' CHECK (payload_format IN ('raw', 'decoded'));

ALTER TABLE topics
  ADD COLUMN schema_subject text;
