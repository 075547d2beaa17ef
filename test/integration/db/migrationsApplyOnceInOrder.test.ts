import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createPool } from '../../../libs/db/createPool.ts';
import { ensureDatabase } from '../../../libs/db/ensureDatabase.ts';
import { migrate, MIGRATIONS_DIR } from '../../../libs/db/migrate.ts';
import { createLogger } from '../../../libs/log/logger.ts';

// A database of its own: this test drops and recreates it.
const URL = 'postgres://postgres@127.0.0.1:5432/fanout_migrate_test';
let pool: pg.Pool;

before(async () => {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS fanout_migrate_test');
  await admin.end();
  await ensureDatabase(URL);
  pool = createPool(URL, createLogger('error'));
});

after(async () => {
  await pool?.end();
});

test("the project's migrations apply in order, once, recorded in schema_migrations", async () => {
  const first = await migrate(pool);
  assert.ok(first.length >= 1);
  assert.deepEqual(first, [...first].sort());
  const recorded = await pool.query<{ name: string }>(
    'SELECT name FROM schema_migrations ORDER BY name',
  );
  assert.deepEqual(
    recorded.rows.map((r) => r.name),
    first,
  );
  assert.deepEqual(await migrate(pool), [], 'a second run applies nothing');
  const tables = await pool.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  for (const t of ['schema_migrations', 'subscriptions', 'topics']) {
    assert.ok(
      tables.rows.some((r) => r.tablename === t),
      `table ${t}`,
    );
  }
  assert.ok(MIGRATIONS_DIR.endsWith('/migrations/'));
});

test('concurrent migrators apply each file once; a failing file is rolled back and not recorded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-mig-'));
  await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE mig_a (id int);');
  await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE mig_b (id int);');
  await pool.query('DROP TABLE IF EXISTS mig_a, mig_b, mig_c');
  const results = await Promise.all([migrate(pool, dir), migrate(pool, dir), migrate(pool, dir)]);
  assert.deepEqual(results.flat().sort(), ['0001_a.sql', '0002_b.sql']);

  await writeFile(
    join(dir, '0003_c.sql'),
    'CREATE TABLE mig_c (id int); SELECT no_such_function();',
  );
  await assert.rejects(migrate(pool, dir), /0003_c.sql failed/);
  const c = await pool.query("SELECT to_regclass('mig_c') AS t");
  assert.equal(c.rows[0].t, null, 'the failed file left nothing behind');
  const done = await pool.query("SELECT 1 FROM schema_migrations WHERE name = '0003_c.sql'");
  assert.equal(done.rowCount, 0);
});
