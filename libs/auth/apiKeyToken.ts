import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key tokens: `fanout_` and 32 random bytes in base64url. The fixed prefix lets secret
 * scanners and people recognise a leaked key; 256 bits of entropy make an unsalted SHA-256 a
 * safe thing to store (nothing to brute-force), and let a key be found by its hash alone.
 */
export const TOKEN_PREFIX = 'fanout_';
const TOKEN_PATTERN = /^fanout_[A-Za-z0-9_-]{43}$/;
/** Characters of a token shown in listings: the fixed prefix and 6 random ones. */
const SHOWN_CHARS = TOKEN_PREFIX.length + 6;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** What a listing shows of a token, enough to tell keys apart and useless to an attacker. */
export function tokenPrefix(token: string): string {
  return token.slice(0, SHOWN_CHARS);
}

/** Compares two hashes in constant time (the bootstrap key is not looked up by index). */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The token of an `Authorization: Bearer <token>` header; undefined when the header is absent
 * or of another scheme.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
