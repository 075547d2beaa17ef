import { validationError } from '../../../libs/errors/FanoutError.ts';
import type { RouteMode } from '../../../libs/routing/routingDecision.ts';
import { rejectUnknownFields, requireObject } from './fields.ts';

/** `{ "mode": "read" | "write" | "auto" }`: pin a topic to a mode, or let the decision choose. */
export function parseRoutingPin(body: unknown): RouteMode | null {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['mode']);
  const mode = obj.mode;
  if (mode === 'read' || mode === 'write') return mode;
  if (mode === 'auto') return null;
  throw validationError('mode', 'mode must be one of read, write, auto');
}
