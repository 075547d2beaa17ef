-- An optional filter per subscription (see libs/filter/eventFilter.ts); null delivers everything.
ALTER TABLE subscriptions ADD COLUMN filter jsonb;
