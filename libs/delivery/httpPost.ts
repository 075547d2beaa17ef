import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  request: typeof httpRequest;
  agent: HttpAgent;
  hostname: string;
  port: string;
  path: string;
}

// One keep-alive pool per origin, shared by every subscription pushing there: connections are
// reused across events instead of opened per request. The number of sockets follows the
// requests in flight, which each subscription bounds itself.
const agents = new Map<string, HttpAgent>();
const targets = new Map<string, Target>();
// The endpoint rules the pools were made under; new rules (a new runtime) start new pools.
let rulesInUse: EndpointTransport | undefined;

function targetOf(url: string, rules: EndpointTransport): Target {
  if (rules !== rulesInUse) {
    for (const agent of agents.values()) agent.destroy();
    agents.clear();
    targets.clear();
    rulesInUse = rules;
  }
  let target = targets.get(url);
  if (target !== undefined) return target;
  // scheme and literal addresses once per URL; names at each connect, in rules.lookup
  rules.assertUrlAllowed(url);
  const u = new URL(url);
  const https = u.protocol === 'https:';
  if (!https && u.protocol !== 'http:') throw new Error(`unsupported protocol ${u.protocol}`);
  let agent = agents.get(u.origin);
  if (agent === undefined) {
    agent = https
      ? new HttpsAgent({ keepAlive: true, ...(rules.ca === undefined ? {} : { ca: rules.ca }) })
      : new HttpAgent({ keepAlive: true });
    agents.set(u.origin, agent);
  }
  target = {
    request: https ? httpsRequest : httpRequest,
    agent,
    // URL keeps IPv6 literals bracketed; the socket wants them bare
    hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port,
    path: u.pathname + u.search,
  };
  targets.set(url, target);
  return target;
}

/**
 * One POST over a pooled keep-alive connection (node:http rather than fetch: a third of the
 * CPU per request, no web streams). Redirects are not followed. Every connection obeys the
 * endpoint rules (address policy after DNS, CAs); the answer is read up to their cap. Resolves
 * with the status once the answer is drained, so the connection can carry the next request; rejects with the
 * socket's error (its `code`, e.g. ECONNREFUSED) or a PostTimeoutError.
 */
export function httpPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    const rules = endpointTransport();
    try {
      const t = targetOf(url, rules);
      req = t.request({
        method: 'POST',
        hostname: t.hostname,
        port: t.port,
        path: t.path,
        agent: t.agent,
        lookup: rules.lookup,
        headers: { ...headers, 'content-length': String(body.length) },
      });
    } catch (err) {
      reject(err as Error);
      return;
    }
    const timer = setTimeout(
      () => req.destroy(new PostTimeoutError(`timeout after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      res.once('error', fail);
      const answer = (): void => {
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null });
      };
      res.once('end', answer);
      // the status is the answer; a body past the cap is not read on, its connection dropped
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > rules.maxResponseBytes) {
          answer();
          req.destroy();
        }
      });
    });
    req.end(body);
  });
}
