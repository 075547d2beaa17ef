import { Pool, type Dispatcher } from 'undici';
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
 * One POST over a pooled keep-alive connection. Written on undici's dispatch interface rather
 * than `pool.request`: the answer's body is only counted, so the readable stream, abort signal
 * and promise chain `request` builds around every exchange (a quarter of its CPU per request)
 * buy nothing here. Redirects are not followed. Every connection obeys the endpoint rules
 * (address policy after DNS, CAs); the answer is read up to their cap, a longer one costs its
 * connection. Resolves with the status once the answer is drained, so the connection can carry
 * the next request; rejects with the socket's error (its `code`, e.g. ECONNREFUSED) or a
 * PostTimeoutError.
 */
export function httpPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<PostAnswer> {
  const rules = endpointTransport();
  let target: Target;
  try {
    target = targetOf(url, rules);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  return new Promise<PostAnswer>((resolve, reject) => {
    new Exchange(target, headers, body, timeoutMs, rules.maxResponseBytes, resolve, reject);
  });
}

/** One request's handler: counts the answer's bytes and settles the caller's promise once. */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private readonly timer: NodeJS.Timeout;
  private done = false;
  private status = 0;
  private retryAfter: string | null = null;
  private seen = 0;
  private readonly cap: number;
  private readonly resolve: (answer: PostAnswer) => void;
  private readonly reject: (err: Error) => void;

  constructor(
    target: Target,
    headers: Record<string, string>,
    body: Buffer,
    timeoutMs: number,
    cap: number,
    resolve: (answer: PostAnswer) => void,
    reject: (err: Error) => void,
  ) {
    this.cap = cap;
    this.resolve = resolve;
    this.reject = reject;
    this.timer = setTimeout(() => this.timeOut(timeoutMs), timeoutMs);
    try {
      target.pool.dispatch({ method: 'POST', path: target.path, headers, body }, this);
    } catch (err) {
      // refused before any handler call (e.g. a header undici will not send)
      this.fail(err as Error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // timed out while waiting for a connection: the request is not sent at all
    if (this.done) controller.abort(new PostTimeoutError('timed out before sending'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.seen > this.cap && !this.done) {
      // the status is the answer; reading on would let an endpoint make us buffer without end
      this.succeed();
      controller.abort(new Error('answer over the size cap'));
    }
  }

  onResponseEnd(): void {
    this.succeed();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  private succeed(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.resolve({ status: this.status, retryAfter: this.retryAfter });
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.reject(err);
  }

  private timeOut(timeoutMs: number): void {
    if (this.done) return;
    const err = new PostTimeoutError(`timeout after ${timeoutMs} ms`);
    this.fail(err);
    this.controller?.abort(err);
  }
}
