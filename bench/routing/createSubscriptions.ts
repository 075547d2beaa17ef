import { call } from '../../test/helpers/api.ts';
import { sleep } from '../../test/helpers/waitFor.ts';
import { mapLimited } from '../../libs/async/mapLimited.ts';

/**
 * POSTs through the API, retrying 5xx a few times: a busy shared broker sometimes answers a
 * metadata request or a topic creation late. Answers the created resource.
 */
export async function postWithRetry(
  base: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    const res = await call(base, 'POST', path, body);
    if (res.status >= 200 && res.status < 300) return res.body;
    // an attempt answered late (5xx) may still have made the topic: the retry then finds it
    const code = (res.body.error as { code?: unknown } | undefined)?.code;
    if (attempt > 1 && code === 'FANOUT_TOPIC_EXISTS') return body as Record<string, unknown>;
    if (attempt === 5 || res.status < 500) throw new Error(`${path}: ${JSON.stringify(res.body)}`);
    await sleep(1000);
  }
}

/**
 * Runs `count` jobs with at most `parallel` at once, in index order; answers their results in
 * that order. Each subscription costs a few Kafka admin round trips (offsets, group offsets, a
 * dead-letter topic and its leader): one after the other, 1,000 of them take minutes.
 */
export function inParallel<T>(
  count: number,
  parallel: number,
  job: (i: number) => Promise<T>,
): Promise<T[]> {
  return mapLimited(
    Array.from({ length: count }, (_, i) => i),
    Math.max(1, parallel),
    job,
  );
}

/** Creates `count` subscriptions of one topic through the API; answers their ids. */
export async function createSubscriptions(
  base: string,
  topic: string,
  endpoint: string,
  count: number,
  parallel: number,
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  return inParallel(count, parallel, async () =>
    String((await postWithRetry(base, '/v1/subscriptions', { topic, endpoint, ...extra })).id),
  );
}
