export type RouteMode = 'read' | 'write';

export interface RoutingThresholds {
  /** Most subscriptions (not deleted) a topic may have and stay in write fan-out. */
  maxSubscriptions: number;
  /** Highest event rate (events/s) a topic may have and stay in write fan-out. */
  maxEventsPerSecond: number;
}

export interface TopicFigures {
  subscriptions: number;
  /** Events per second over the last measurement window; null before the first window ends. */
  eventsPerSecond: number | null;
  pinned: RouteMode | null;
  /** The mode the topic is in (or heading to) now. */
  current: RouteMode;
}

export interface RoutingDecision {
  mode: RouteMode;
  reason: string;
}

/**
 * Which delivery mode a topic should be in. Write fan-out costs a row per (event, subscription)
 * in PostgreSQL but nothing per idle subscription; read fan-out costs a consumer group per
 * subscription, busy or idle, but nothing per event beyond the fetch. So small, quiet topics go
 * to write fan-out, and a topic leaves it once either figure passes its threshold.
 */
export function decideRoute(figures: TopicFigures, t: RoutingThresholds): RoutingDecision {
  if (figures.pinned !== null) {
    return { mode: figures.pinned, reason: `pinned to ${figures.pinned} by an operator` };
  }
  if (figures.subscriptions > t.maxSubscriptions) {
    return {
      mode: 'read',
      reason: `${figures.subscriptions} subscriptions > ${t.maxSubscriptions}`,
    };
  }
  if (figures.eventsPerSecond === null) {
    // a router that just started has no rate yet: nothing moves until it has
    return { mode: figures.current, reason: 'event rate not measured yet' };
  }
  const rate = Math.round(figures.eventsPerSecond * 100) / 100;
  if (figures.eventsPerSecond > t.maxEventsPerSecond) {
    return { mode: 'read', reason: `${rate} events/s > ${t.maxEventsPerSecond}` };
  }
  return {
    mode: 'write',
    reason: `${figures.subscriptions} subscriptions <= ${t.maxSubscriptions} and ${rate} events/s <= ${t.maxEventsPerSecond}`,
  };
}
