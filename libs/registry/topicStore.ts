import type pg from 'pg';
import type { Topic } from './types.ts';

interface TopicRow {
  name: string;
  partitions: number;
  created_at: Date;
}

const toTopic = (r: TopicRow): Topic => ({
  name: r.name,
  partitions: r.partitions,
  createdAt: r.created_at,
});

export async function insertTopic(pool: pg.Pool, name: string, partitions: number): Promise<Topic> {
  const res = await pool.query<TopicRow>(
    `INSERT INTO topics (name, partitions) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET partitions = EXCLUDED.partitions
     RETURNING name, partitions, created_at`,
    [name, partitions],
  );
  return toTopic(res.rows[0]!);
}

export async function findTopic(pool: pg.Pool, name: string): Promise<Topic | undefined> {
  const res = await pool.query<TopicRow>(
    'SELECT name, partitions, created_at FROM topics WHERE name = $1',
    [name],
  );
  return res.rows[0] === undefined ? undefined : toTopic(res.rows[0]);
}

export async function listTopics(pool: pg.Pool): Promise<Topic[]> {
  const res = await pool.query<TopicRow>(
    'SELECT name, partitions, created_at FROM topics ORDER BY name',
  );
  return res.rows.map(toTopic);
}
