import { randomBytes } from 'node:crypto';
import { startApi, type RunningApi } from '../../services/api/startApi.ts';
import { startBridge, type RunningBridge } from '../../services/bridge/startBridge.ts';
import { startRouter, type RunningRouter } from '../../services/router/startRouter.ts';
import { createRuntime, type Runtime } from '../../services/runtime/createRuntime.ts';
import { call } from './api.ts';
import { WebhookSink } from './webhookSink.ts';
import { FAST_RETRY, TEST_ENV } from './testEnv.ts';

export interface TestStack {
  rt: Runtime;
  api: RunningApi;
  bridge: RunningBridge | undefined;
  router: RunningRouter | undefined;
  baseUrl: string;
  /** Creates a topic with a name no other test uses. */
  createTopic(partitions: number): Promise<string>;
  subscribe(topic: string, endpoint: string, extra?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The api (and optionally a bridge) in this process, on the real Kafka, PostgreSQL and Redis.
 * Registry tables and the test Redis db are emptied first, so a stack starts from nothing.
 */
export async function startTestStack(options: StackOptions = { bridge: true }): Promise<TestStack> {
  const rt = await createRuntime('test', { ...TEST_ENV, ...options.env });
  await resetState(rt);
  const api = await startApi(rt);
  const bridge = options.bridge ? await startBridge(rt) : undefined;
  const router = options.router === true ? await startRouter(rt) : undefined;
  const baseUrl = `http://127.0.0.1:${api.port}`;
  return {
    rt,
    api,
    bridge,
    router,
    baseUrl,
    async createTopic(partitions) {
      const name = uniqueName('t');
      const res = await call(baseUrl, 'POST', '/v1/topics', { name, partitions });
      if (res.status !== 201) throw new Error(`topic create failed: ${JSON.stringify(res)}`);
      return name;
    },
    async subscribe(topic, endpoint, extra = {}) {
      const res = await call(baseUrl, 'POST', '/v1/subscriptions', {
        topic,
        endpoint,
        ...FAST_RETRY,
        ...extra,
      });
      if (res.status !== 201) throw new Error(`subscribe failed: ${JSON.stringify(res)}`);
      return res.body.id as string;
    },
    async stop() {
      await api.stop();
      await router?.stop();
      await bridge?.stop();
      await rt.close();
    },
  };
}

export interface StackOptions {
  bridge: boolean;
  /** Also a router (write fan-out) in this process. */
  router?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function resetState(rt: Runtime): Promise<void> {
  await rt.pool.query('DELETE FROM deliveries');
  await rt.pool.query('DELETE FROM events');
  await rt.pool.query('DELETE FROM topic_routes');
  await rt.pool.query('DELETE FROM subscriptions');
  await rt.pool.query('DELETE FROM topics');
  await rt.pool.query('DELETE FROM retry_state');
  await rt.pool.query('DELETE FROM dead_letters');
  await rt.pool.query('DELETE FROM api_keys');
  await rt.redis.flushdb();
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The usual fixture of a bridge test: a stack and one webhook sink, both real. */
export async function startStackAndSink(
  options: StackOptions = { bridge: true },
): Promise<{ stack: TestStack; sink: WebhookSink }> {
  const stack = await startTestStack(options);
  const sink = await new WebhookSink().start();
  return { stack, sink };
}

/** Stops what a test started; tolerates a fixture that never finished starting. */
export async function stopAll(...parts: ({ stop(): Promise<void> } | undefined)[]): Promise<void> {
  for (const part of parts) await part?.stop();
}
