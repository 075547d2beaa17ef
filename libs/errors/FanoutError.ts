import { ERROR_CODES, type ErrorCode } from './errorCodes.ts';

export interface FanoutErrorOptions {
  /** The request or config field the error is about, when there is one. */
  field?: string;
  cause?: unknown;
}

/** Every error Fanout raises on purpose: a stable code, whether a retry may help, and a cause. */
export class FanoutError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: FanoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FanoutError';
    this.code = code;
    this.field = options.field;
  }

  get retriable(): boolean {
    return ERROR_CODES[this.code].retriable;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function validationError(field: string, message: string): FanoutError {
  return new FanoutError('FANOUT_VALIDATION', message, { field });
}
