// `node bench/requestValidationCost.ts [events] [rounds]`: what checking a produce body against
// its OpenAPI schema costs, next to the JSON parse every request pays anyway. No services needed.
import { performance } from 'node:perf_hooks';
import { validatorOf } from '../services/api/openapi/schemaValidator.ts';

const events = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 200);
const payload = { orderId: 1, note: 'x'.repeat(1000), items: [{ sku: 'a', qty: 2 }] };
const body = JSON.stringify({
  events: Array.from({ length: events }, (_, i) => ({
    key: `customer-${i % 1000}`,
    payload: { ...payload, orderId: i },
    headers: { region: 'eu' },
  })),
});
const validate = validatorOf('Produce');

function timeOf(work: () => void): number {
  for (let i = 0; i < 20; i++) work(); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) work();
  return (performance.now() - start) / rounds;
}

const parsed = JSON.parse(body) as unknown;
const parseMs = timeOf(() => JSON.parse(body));
const validateMs = timeOf(() => {
  if (!validate(parsed)) throw new Error('the bench body must be valid');
});
console.log(
  JSON.stringify({
    events,
    bodyBytes: body.length,
    parseMsPerRequest: Number(parseMs.toFixed(3)),
    validateMsPerRequest: Number(validateMs.toFixed(3)),
    validateMicrosPerEvent: Number(((validateMs * 1000) / events).toFixed(2)),
    validateShareOfParse: Number((validateMs / parseMs).toFixed(2)),
  }),
);
