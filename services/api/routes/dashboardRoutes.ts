import { readFileSync } from 'node:fs';
import { Router } from 'express';

const DIR = new URL('../dashboard/', import.meta.url);
const FILES = {
  '/dashboard': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
} as const;

/**
 * `GET /dashboard`: a static page and its script, read once at start-up. The page calls the
 * same public API as any client; no build step stands between the repository and the browser.
 */
export function dashboardRoutes(): Router {
  const router = Router();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const body = readFileSync(new URL(file, DIR));
    router.get(path, (_req, res) => {
      res
        .type(type)
        .set('content-security-policy', "default-src 'self'; img-src 'self' data:")
        .set('cache-control', 'no-cache')
        .send(body);
    });
  }
  return router;
}
