/**
 * What an API key may do. `read` sees state, `produce` writes events, `admin` changes
 * configuration and manages keys; admin includes the other two, which stay apart so a
 * producer's key cannot read other tenants' events and a dashboard's key cannot write.
 */
export const SCOPES = ['admin', 'produce', 'read'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** Whether a key holding `held` may do what needs `needed`. */
export function scopesAllow(held: readonly Scope[], needed: Scope): boolean {
  return held.includes('admin') || held.includes(needed);
}
