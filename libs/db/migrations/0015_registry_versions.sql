-- Bridges and routers poll the registry every couple of seconds. Re-reading every subscription
-- when nothing changed was most of an idle bridge's CPU, so every write to subscriptions or
-- topic_routes now also bumps a counter, in the same transaction: a poller reads this one row
-- and re-reads a table only when its counter moved (libs/registry/registryVersion.ts).
--
-- A counter, not max(updated_at): transactions commit out of order, so a row with an older
-- timestamp can become visible after a newer one was seen, and would be missed. A bump holds the
-- counter's row lock until its transaction ends, so the next bump waits for it and the value
-- grows in commit order: every change committed after a poller read value v shows as a value > v.
--
-- One row with a counter per table: a change of a route (routing figures are rewritten as
-- traffic moves) does not make pollers re-read every subscription, and one row is one lock, so
-- a transaction writing both tables cannot deadlock with one writing them in the other order.
CREATE TABLE registry_versions (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  subscriptions bigint  NOT NULL DEFAULT 0,
  topic_routes  bigint  NOT NULL DEFAULT 0
);
INSERT INTO registry_versions DEFAULT VALUES;

-- Statement-level: one bump per statement however many rows it touches (a statement touching
-- none bumps too, which costs pollers one needless re-read and nothing else).
CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE TG_ARGV[0]
    WHEN 'subscriptions' THEN
      UPDATE registry_versions SET subscriptions = subscriptions + 1;
    WHEN 'topic_routes' THEN
      UPDATE registry_versions SET topic_routes = topic_routes + 1;
  END CASE;
  RETURN NULL;
END
$$;

CREATE TRIGGER subscriptions_bump_registry_version
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subscriptions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version('subscriptions');

CREATE TRIGGER topic_routes_bump_registry_version
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON topic_routes
  FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version('topic_routes');
