import { call } from './api.ts';
import { startStackAndSink, type TestStack } from './testStack.ts';
import type { WebhookSink } from './webhookSink.ts';
import { waitFor } from './waitFor.ts';

/**
 * A router for write fan-out tests: topics switch only when a test pins them, and workers and
 * the sweeper look for work often.
 */
export const PINNED_ROUTER_ENV: NodeJS.ProcessEnv = {
  FANOUT_ROUTER_AUTO: 'false',
  FANOUT_ROUTER_DECIDE_INTERVAL_MS: '300',
  FANOUT_DELIVERY_POLL_MS: '50',
  FANOUT_DELIVERY_SWEEP_MS: '300',
};

/** A stack with a bridge and a router (PINNED_ROUTER_ENV, then `env`), and one sink. */
export function startWriteFanoutStack(
  env: NodeJS.ProcessEnv = {},
): Promise<{ stack: TestStack; sink: WebhookSink }> {
  return startStackAndSink({ bridge: true, router: true, env: { ...PINNED_ROUTER_ENV, ...env } });
}

export interface RoutingView {
  mode: 'read' | 'write';
  state: 'read' | 'to_write' | 'write' | 'to_read';
  pinned: string | null;
  reason: string;
  pending: { subscriptionId: string; pending: number; inFlight: number }[];
}

export async function routingOf(baseUrl: string, topic: string): Promise<RoutingView> {
  const res = await call<{ routing: RoutingView }>(baseUrl, 'GET', `/v1/topics/${topic}`);
  if (res.status !== 200) throw new Error(`GET topic failed: ${JSON.stringify(res)}`);
  return res.body.routing;
}

/** Pins a topic to a mode through the API and waits until the switch has completed. */
export async function pinAndWait(
  baseUrl: string,
  topic: string,
  mode: 'read' | 'write',
  timeoutMs = 90_000,
): Promise<void> {
  const res = await call(baseUrl, 'PUT', `/v1/topics/${topic}/routing`, { mode });
  if (res.status !== 200) throw new Error(`pin failed: ${JSON.stringify(res)}`);
  await waitFor(
    async () => (await routingOf(baseUrl, topic)).state === mode,
    `topic ${topic} in ${mode} fan-out`,
    timeoutMs,
    100,
  );
}
