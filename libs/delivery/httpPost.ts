import { Pool } from 'undici';
import { endpointTransport, type EndpointTransport } from '../net/endpointTransport.ts';

export interface PostAnswer {
  status: number;
  /** The Retry-After header, if the endpoint sent one. */
  retryAfter: string | null;
}

/** Raised when the whole exchange (connect, send, answer, drain) took longer than allowed. */
export class PostTimeoutError extends Error {
  override name = 'TimeoutError';
}

interface Target {
  pool: Pool;
  path: string;
}

// One keep-alive pool per origin, shared by every subscription pushing there: connections are
// reused across events instead of opened per request. The pool opens as many connections as
// there are requests in flight, which each subscription bounds itself.
const pools = new Map<string, Pool>();
const targets = new Map<string, Target>();
// The endpoint rules the pools were made under; new rules (a new runtime) start new pools.
let rulesInUse: EndpointTransport | undefined;

function targetOf(url: string, rules: EndpointTransport): Target {
  if (rules !== rulesInUse) {
    for (const pool of pools.values()) void pool.destroy();
    pools.clear();
    targets.clear();
    rulesInUse = rules;
  }
  let target = targets.get(url);
  if (target !== undefined) return target;
  // scheme and literal addresses once per URL; names at each connect, in rules.lookup
  rules.assertUrlAllowed(url);
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new Error(`unsupported protocol ${u.protocol}`);
  }
  let pool = pools.get(u.origin);
  if (pool === undefined) {
    pool = new Pool(u.origin, {
      connect: { lookup: rules.lookup, ...(rules.ca === undefined ? {} : { ca: rules.ca }) },
      // each request has a deadline for the whole exchange (below); undici's own timers would
      // only add a second, different rule
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    pools.set(u.origin, pool);
  }
  target = { pool, path: u.pathname + u.search };
  targets.set(url, target);
  return target;
}

/**
 * One POST over a pooled keep-alive connection (undici's pool: about two thirds of node:http's
 * CPU per request, which was a third of fetch's). Redirects are not followed. Every connection
 * obeys the endpoint rules (address policy after DNS, CAs); the answer is read up to their cap,
 * a longer one costs its connection. Resolves with the status once the answer is drained, so
 * the connection can carry the next request; rejects with the socket's error (its `code`, e.g.
 * ECONNREFUSED) or a PostTimeoutError.
 */
export async function httpPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<PostAnswer> {
  const rules = endpointTransport();
  const target = targetOf(url, rules);
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new PostTimeoutError(`timeout after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const res = await target.pool.request({
      method: 'POST',
      path: target.path,
      headers,
      body,
      signal: deadline.signal,
    });
    await drain(res.body, rules.maxResponseBytes);
    const retryAfter = res.headers['retry-after'];
    return {
      status: res.statusCode,
      retryAfter: (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null,
    };
  } catch (err) {
    if (deadline.signal.aborted) throw deadline.signal.reason as Error;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads an answer's body to its end, so the connection can carry the next request. The status
 * is the answer: a body past the cap is not read on (destroying it costs the connection), but
 * one cut short by the endpoint fails the exchange like any broken answer.
 */
function drain(body: NodeJS.ReadableStream & { destroy(): void }, cap: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) {
        body.removeAllListeners('error');
        body.on('error', () => undefined);
        body.destroy();
        resolve();
      }
    });
    body.once('end', resolve);
    body.once('error', reject);
  });
}
