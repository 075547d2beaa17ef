import type { Scope } from '../../../libs/auth/scopes.ts';

/**
 * The scope each request needs, decided in one place for every route, including routes added
 * later: reading (GET, HEAD) needs `read`, producing events needs `produce`, and anything else
 * — or anything unknown — needs `admin`, so a new route is closed until someone opens it.
 * Public: the probes (a kubelet carries no key) and the dashboard's static files (they hold no
 * data; the page asks for a key to call the API with). `null` means public.
 */
export function requiredScope(method: string, rawPath: string): Scope | null {
  const path = normalisePath(rawPath);
  const reading = method === 'GET' || method === 'HEAD';
  if (reading && PUBLIC_PATHS.some((p) => p.test(path))) return null;
  if (path === '/v1/api-keys' || path.startsWith('/v1/api-keys/')) return 'admin';
  if (method === 'POST' && PRODUCE_PATH.test(path)) return 'produce';
  if (reading || method === 'OPTIONS') return 'read';
  return 'admin';
}

const PUBLIC_PATHS = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/dashboard$/,
  /^\/dashboard\/[\w-]+\.(js|css)$/,
];
const PRODUCE_PATH = /^\/v1\/topics\/[^/]+\/events$/;

/**
 * The path as the router may match it: Express matches case-insensitively and ignores a
 * trailing slash, so the policy must not be fooled by `/V1/API-KEYS/` or `%61pi-keys`.
 */
function normalisePath(raw: string): string {
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // a malformed escape cannot match a route either; judge the raw text
  }
  path = path.toLowerCase().replace(/\/{2,}/g, '/');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
