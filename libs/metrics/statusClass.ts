/** The bounded outcome label of one HTTP attempt: a status class, or why there was no status. */
export type OutcomeClass = '2xx' | '3xx' | '4xx' | '5xx' | '1xx' | 'timeout' | 'network';

export function outcomeClass(status: number | null, error?: string): OutcomeClass {
  if (status === null) return error?.startsWith('timeout') ? 'timeout' : 'network';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  return '1xx';
}
