import { setTimeout as sleep } from 'node:timers/promises';
import { FanoutError, validationError } from '../../libs/errors/FanoutError.ts';
import { setPaused, setReplayWindow } from '../../libs/registry/subscriptionStore.ts';
import { findRoute } from '../../libs/routing/topicRouteStore.ts';
import { DELIVERING_STATES, groupIdOf, type Subscription } from '../../libs/registry/types.ts';
import type { ApiDeps } from './apiDeps.ts';
import type { SeekRequest } from './requests/parseSeek.ts';

export interface SeekResult {
  dryRun: boolean;
  partitions: Record<string, { from: string | null; to: string; redelivered: string }>;
}

// Long enough for every bridge to notice the pause (registry refresh) and leave the group.
const GROUP_EMPTY_TIMEOUT_MS = 30_000;

/**
 * Moves a subscription's consumer group to new offsets. Kafka accepts offsets from outside the
 * group only while it has no members, so a delivering subscription is paused first, moved, and
 * resumed. Events between the new and the old position are replays: marked so, and pushed
 * again despite dedupe when `redeliver` is set.
 */
export async function seekSubscription(
  deps: ApiDeps,
  sub: Subscription,
  request: SeekRequest,
): Promise<SeekResult> {
  const groupId = groupIdOf(sub.id);
  // in write fan-out the consumer group rests and delivery rows carry the position: a seek
  // there would be overwritten by the next switch, so it waits for read fan-out
  const route = await findRoute(deps.pool, sub.topic);
  if (route.state !== 'read') {
    throw new FanoutError(
      'FANOUT_SUBSCRIPTION_BUSY',
      `topic ${sub.topic} is in write fan-out (${route.state}); pin it to read (PUT /v1/topics/${sub.topic}/routing) before seeking`,
    );
  }
  const { low, high } = await deps.admin.offsetBounds(sub.topic);
  const target = await targetOffsets(deps, sub.topic, request, low, high);
  const committed = await deps.admin.committedOffsets(groupId, sub.topic);
  const partitions: SeekResult['partitions'] = {};
  const replayUntil: Record<string, string> = {};
  for (const [p, to] of Object.entries(target)) {
    const from = committed[p] ?? null;
    const back = from === null ? 0n : BigInt(from) - BigInt(to);
    partitions[p] = { from, to, redelivered: String(back > 0n ? back : 0n) };
    if (back > 0n) replayUntil[p] = from!;
  }
  if (request.dryRun) return { dryRun: true, partitions };

  const wasDelivering = DELIVERING_STATES.includes(sub.state);
  if (wasDelivering) await setPaused(deps.pool, sub.id, true);
  try {
    const deadline = Date.now() + GROUP_EMPTY_TIMEOUT_MS;
    while ((await deps.admin.groupMemberCount(groupId)) > 0) {
      if (Date.now() > deadline) {
        throw new FanoutError(
          'FANOUT_SUBSCRIPTION_BUSY',
          'the consumer group still has members; try again',
          { field: 'id' },
        );
      }
      await sleep(250);
    }
    await deps.admin.setGroupOffsets(groupId, sub.topic, target);
    await setReplayWindow(deps.pool, sub.id, replayUntil, request.redeliver);
  } finally {
    if (wasDelivering) await setPaused(deps.pool, sub.id, false);
  }
  deps.log.info('subscription seeked', { subscriptionId: sub.id, partitions });
  return { dryRun: false, partitions };
}

async function targetOffsets(
  deps: ApiDeps,
  topic: string,
  request: SeekRequest,
  low: Record<string, string>,
  high: Record<string, string>,
): Promise<Record<string, string>> {
  const t = request.target;
  switch (t.kind) {
    case 'earliest':
      return low;
    case 'latest':
      return high;
    case 'timestamp':
      return deps.admin.offsetsAt(topic, t.timestampMs);
    case 'offsets':
      for (const [p, o] of Object.entries(t.offsets)) {
        const min = low[p];
        const max = high[p];
        if (min === undefined || max === undefined) {
          throw validationError(`offsets.${p}`, `topic ${topic} has no partition ${p}`);
        }
        if (BigInt(o) < BigInt(min) || BigInt(o) > BigInt(max)) {
          throw validationError(`offsets.${p}`, `offsets.${p} must lie between ${min} and ${max}`);
        }
      }
      return t.offsets;
  }
}
