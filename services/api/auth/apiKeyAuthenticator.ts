import type pg from 'pg';
import { findActiveKeyByHash } from '../../../libs/auth/apiKeyStore.ts';
import { hashToken, sameHash } from '../../../libs/auth/apiKeyToken.ts';
import type { Scope } from '../../../libs/auth/scopes.ts';

/** Who made a request: an API key's id ('bootstrap' for the configured key) and its scopes. */
export interface Principal {
  keyId: string;
  scopes: Scope[];
}

const MAX_CACHED = 10_000;

/**
 * Turns a bearer token into a principal. Keys are looked up by the SHA-256 of the token; a key
 * found is trusted for `cacheMs` so the produce path does not pay a database round trip per
 * request. Unknown tokens are not cached: a flood of random tokens cannot grow memory.
 */
export class ApiKeyAuthenticator {
  private readonly pool: pg.Pool;
  private readonly bootstrapHash: Buffer | null;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(pool: pg.Pool, bootstrapKey: string | null, cacheMs: number) {
    this.pool = pool;
    this.bootstrapHash = bootstrapKey === null ? null : hashToken(bootstrapKey);
    this.cacheMs = cacheMs;
  }

  async principal(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    if (this.bootstrapHash !== null && sameHash(hash, this.bootstrapHash)) {
      return { keyId: 'bootstrap', scopes: ['admin'] };
    }
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.until > Date.now()) return cached.principal;
    const key = await findActiveKeyByHash(this.pool, hash);
    if (key === undefined) {
      this.cache.delete(cacheKey);
      return undefined;
    }
    const principal = { keyId: key.id, scopes: key.scopes };
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(cacheKey, { principal, until: Date.now() + this.cacheMs });
    }
    return principal;
  }

  /** Drops a revoked key from this process's cache, so its revocation applies here at once. */
  forget(keyId: string): void {
    for (const [hash, entry] of this.cache) {
      if (entry.principal.keyId === keyId) this.cache.delete(hash);
    }
  }
}
