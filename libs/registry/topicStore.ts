import type pg from 'pg';
import type { Topic } from './types.ts';

interface TopicRow {
  name: string;
  partitions: number;
  schema_subject: string | null;
  created_at: Date;
}

const COLUMNS = 'name, partitions, schema_subject, created_at';

const toTopic = (r: TopicRow): Topic => ({
  name: r.name,
  partitions: r.partitions,
  schemaSubject: r.schema_subject,
  createdAt: r.created_at,
});

/** Records a topic; a schema subject given here replaces the one recorded, none keeps it. */
export async function insertTopic(
  pool: pg.Pool,
  name: string,
  partitions: number,
  schemaSubject: string | null = null,
): Promise<Topic> {
  const res = await pool.query<TopicRow>(
    `INSERT INTO topics (name, partitions, schema_subject) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET partitions = EXCLUDED.partitions,
       schema_subject = COALESCE(EXCLUDED.schema_subject, topics.schema_subject)
     RETURNING ${COLUMNS}`,
    [name, partitions, schemaSubject],
  );
  return toTopic(res.rows[0]!);
}

/** Sets or (with null) clears the schema subject of a recorded topic. */
export async function setTopicSchemaSubject(
  pool: pg.Pool,
  name: string,
  schemaSubject: string | null,
): Promise<Topic | undefined> {
  const res = await pool.query<TopicRow>(
    `UPDATE topics SET schema_subject = $2 WHERE name = $1 RETURNING ${COLUMNS}`,
    [name, schemaSubject],
  );
  return res.rows[0] === undefined ? undefined : toTopic(res.rows[0]);
}

export async function findTopic(pool: pg.Pool, name: string): Promise<Topic | undefined> {
  const res = await pool.query<TopicRow>(`SELECT ${COLUMNS} FROM topics WHERE name = $1`, [name]);
  return res.rows[0] === undefined ? undefined : toTopic(res.rows[0]);
}

export async function listTopics(pool: pg.Pool): Promise<Topic[]> {
  const res = await pool.query<TopicRow>(`SELECT ${COLUMNS} FROM topics ORDER BY name`);
  return res.rows.map(toTopic);
}
