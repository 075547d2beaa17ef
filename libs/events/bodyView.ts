/**
 * A record value as JSON shows it: parsed `payload` when it is JSON, else `bodyBase64`, so any
 * bytes survive the trip.
 */
export function bodyView(
  contentType: string,
  body: Buffer,
): { payload: unknown } | { bodyBase64: string } {
  if (contentType.includes('json')) {
    try {
      return { payload: JSON.parse(body.toString('utf8')) as unknown };
    } catch {
      // not JSON after all: fall through to base64
    }
  }
  return { bodyBase64: body.toString('base64') };
}
