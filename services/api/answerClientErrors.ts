import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './errorHandler.ts';

/**
 * Requests Node's HTTP parser refuses before express sees them — headers larger than the
 * server accepts, malformed request lines — get the same JSON error body as any other error
 * instead of Node's bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify(
      tooLarge
        ? errorBody(
            'FANOUT_HEADERS_TOO_LARGE',
            'request headers are larger than allowed',
            'headers',
          )
        : errorBody('FANOUT_VALIDATION', 'malformed HTTP request', 'request'),
    );
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });
}
