import { isUtf8 } from 'node:buffer';

/**
 * The value of a body that is JSON: declared JSON, valid UTF-8 (decoding would otherwise swap
 * bytes for replacement characters, and the JSON would no longer be these bytes) and one
 * complete JSON text. Undefined for anything else.
 */
export function parsedJson(contentType: string, body: Buffer): { value: unknown } | undefined {
  if (!contentType.includes('json') || !isUtf8(body)) return undefined;
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * A record value as JSON shows it: parsed `payload` when it is JSON, else `bodyBase64`, so any
 * bytes survive the trip.
 */
export function bodyView(
  contentType: string,
  body: Buffer,
): { payload: unknown } | { bodyBase64: string } {
  const json = parsedJson(contentType, body);
  return json === undefined ? { bodyBase64: body.toString('base64') } : { payload: json.value };
}
