import { CliError, EXIT } from './cliError.ts';

export interface ApiClient {
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * Calls the Fanout API as any client would, with the API key when one is given; errors become
 * CliErrors with the API's code.
 */
export function apiClient(baseUrl: string, apiKey?: string): ApiClient {
  const auth: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(new URL(path, baseUrl), {
          method,
          headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
        const why = cause?.code ?? cause?.errors?.[0]?.code ?? (err as Error).message;
        throw new CliError(`cannot reach the Fanout API at ${baseUrl}: ${why}`, EXIT.unreachable);
      }
      const text = await res.text();
      let json: unknown = {};
      if (text !== '') {
        try {
          json = JSON.parse(text);
        } catch {
          throw new CliError(`${method} ${path}: not JSON (HTTP ${res.status})`, EXIT.api);
        }
      }
      if (!res.ok) {
        const e = (json as { error?: { code?: string; message?: string; field?: string } }).error;
        const field = e?.field === undefined ? '' : ` (field ${e.field})`;
        throw new CliError(
          `${e?.code ?? `HTTP ${res.status}`}: ${e?.message ?? res.statusText}${field}`,
          res.status === 503 ? EXIT.unreachable : EXIT.api,
        );
      }
      return json as T;
    },
  };
}
