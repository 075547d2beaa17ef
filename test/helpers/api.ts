import { assertMatchesOpenApi } from './openApiResponses.ts';

/** JSON over HTTP against a running API, as a user's client would call it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, init);
  const text = await res.text();
  const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  // every response a test sees is checked against the OpenAPI document
  if (parsed !== undefined) assertMatchesOpenApi(method, path, res.status, parsed);
  return { status: res.status, body: (parsed ?? {}) as T };
}
