/**
 * The fields of the first whole JSON log line in `output` with this message (a service's
 * structured log, e.g. the api's "api listening" and its port); undefined when none is there.
 */
export function loggedFields(output: string, msg: string): Record<string, unknown> | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // a line cut by the pipe (or by a kept tail); a later one may be whole
    }
  }
  return undefined;
}
