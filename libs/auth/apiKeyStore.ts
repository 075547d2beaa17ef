import type pg from 'pg';
import type { Scope } from './scopes.ts';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, scopes, created_at, revoked_at';

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** API keys in PostgreSQL. The token itself is never stored: only its SHA-256. */
export async function insertApiKey(
  pool: pg.Pool,
  key: { id: string; name: string; prefix: string; tokenHash: Buffer; scopes: Scope[] },
): Promise<ApiKey> {
  const { rows } = await pool.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, name, prefix, token_hash, scopes)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [key.id, key.name, key.prefix, key.tokenHash, key.scopes],
  );
  return toApiKey(rows[0]!);
}

/** The key a token hash belongs to, if it exists and is not revoked. */
export async function findActiveKeyByHash(
  pool: pg.Pool,
  tokenHash: Buffer,
): Promise<ApiKey | undefined> {
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL`,
    [tokenHash],
  );
  return rows[0] === undefined ? undefined : toApiKey(rows[0]);
}

export async function listApiKeys(pool: pg.Pool): Promise<ApiKey[]> {
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`,
  );
  return rows.map(toApiKey);
}

export async function findApiKey(pool: pg.Pool, id: string): Promise<ApiKey | undefined> {
  const { rows } = await pool.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [
    id,
  ]);
  return rows[0] === undefined ? undefined : toApiKey(rows[0]);
}

/** Revokes a key (kept, marked, for the audit trail); undefined when no such key exists. */
export async function revokeApiKey(pool: pg.Pool, id: string): Promise<ApiKey | undefined> {
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
     RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] === undefined ? undefined : toApiKey(rows[0]);
}

export async function countActiveAdminKeys(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL AND 'admin' = ANY(scopes)`,
  );
  return Number(rows[0]!.n);
}
