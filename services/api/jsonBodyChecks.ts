import type { IncomingMessage } from 'node:http';
import { isUtf8 } from 'node:buffer';

/**
 * Deepest nesting of arrays and objects a request body may have. Real payloads stay far below;
 * a body of a few hundred KiB of `[[[[…` parses fine but then overflows the stack of every
 * recursive walk over it (JSON.stringify included), so it is refused before parsing.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * body-parser's `verify` hook: runs on the raw bytes before JSON.parse. JSON between systems
 * is UTF-8 (RFC 8259): another declared charset, or bytes that are not UTF-8, are refused
 * rather than decoded with replacement characters that would silently change the payload.
 * Errors carry a `type` that the error handler maps to a stable code.
 */
export function checkJsonBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw Object.assign(new Error(`charset ${charset} is not supported; send UTF-8`), {
      type: 'charset.unsupported',
    });
  }
  if (!isUtf8(buf)) {
    throw Object.assign(new Error('request body is not valid UTF-8'), { type: 'fanout.utf8' });
  }
  if (nestingDepth(buf) > MAX_JSON_DEPTH) {
    throw Object.assign(new Error(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
      type: 'fanout.depth',
    });
  }
}

/** The deepest bracket nesting outside strings, counted on the bytes (no parse needed). */
function nestingDepth(buf: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) max = depth;
    } else if (b === 0x5d || b === 0x7d) {
      depth--;
    }
  }
  return max;
}
