/** Exit codes of the `fanout` command, stable for scripts. */
export const EXIT = {
  ok: 0,
  /** The API refused or failed the request (its error code is printed). */
  api: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The API (or Kafka, for `tail`) could not be reached. */
  unreachable: 3,
} as const;

export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
