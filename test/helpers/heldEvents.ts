import { call } from './api.ts';
import { waitForValue } from './waitFor.ts';

/** `GET /v1/subscriptions/:id/held`, the fields the tests read. */
export interface HeldPage {
  total: number;
  items: { eventId: string; key: string; attempts: number; lastStatus: number }[];
}

export async function heldEventsOf(baseUrl: string, id: string): Promise<HeldPage> {
  return (await call<HeldPage>(baseUrl, 'GET', `/v1/subscriptions/${id}/held`)).body;
}

/** Waits until the subscription lists exactly one held event; answers the page. */
export async function waitForOneHeld(baseUrl: string, id: string): Promise<HeldPage> {
  return waitForValue(async () => {
    const page = await heldEventsOf(baseUrl, id);
    return page.total === 1 ? page : undefined;
  }, 'the exhausted event listed as held');
}
