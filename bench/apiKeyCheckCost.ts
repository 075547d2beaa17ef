/**
 * What checking API keys costs. Prints, for the authenticator alone: a cached key, the
 * bootstrap key, a key looked up in PostgreSQL every time (FANOUT_API_KEY_CACHE_MS=0) and an
 * unknown token (always a lookup); then, through the whole api, the mean time of a request
 * that is refused right after authentication (a produce body without payload, 400), with the
 * API open and with a key, alternating three times. Local stack up, then: `node bench/apiKeyCheckCost.ts [requests]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { insertApiKey } from '../libs/auth/apiKeyStore.ts';
import { generateToken, hashToken, tokenPrefix } from '../libs/auth/apiKeyToken.ts';
import { ApiKeyAuthenticator } from '../services/api/auth/apiKeyAuthenticator.ts';
import { startApi } from '../services/api/startApi.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { resetState } from '../test/helpers/testStack.ts';
import { BENCH_ENV } from './benchEnv.ts';

const requests = Number(process.argv[2] ?? 3000);
const bootstrap = randomBytes(32).toString('base64url');
const env = { ...process.env, ...BENCH_ENV, FANOUT_BOOTSTRAP_API_KEY: bootstrap };
const rt = await createRuntime('bench', env);
await resetState(rt);
const token = generateToken();
await insertApiKey(rt.pool, {
  id: randomUUID(),
  name: 'bench',
  prefix: tokenPrefix(token),
  tokenHash: hashToken(token),
  scopes: ['produce'],
});

async function perCall(label: string, n: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(n, 200); i++) await call(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  const us = Number(process.hrtime.bigint() - start) / 1000 / n;
  console.log(`${label.padEnd(48)} ${us.toFixed(2).padStart(9)} µs per call  (n=${n})`);
}

const cached = new ApiKeyAuthenticator(rt.pool, bootstrap, 5000);
const uncached = new ApiKeyAuthenticator(rt.pool, bootstrap, 0);
const unknown = generateToken();
console.log('authenticator alone');
await perCall('  key from cache', 200_000, () => cached.principal(token));
await perCall('  bootstrap key (hash compare)', 200_000, () => cached.principal(bootstrap));
await perCall('  key looked up in PostgreSQL (cache off)', 3000, () => uncached.principal(token));
await perCall('  unknown token (always a lookup)', 3000, () => cached.principal(unknown));

console.log(`whole api, a produce request refused after authentication (mean of ${requests})`);
// modes alternate over rounds, so a busy machine's drift does not land on one of them
const modes = [
  ['open', {}],
  ['keys', { authorization: `Bearer ${token}` }],
] as const;
for (const [mode, headers] of [...modes, ...modes, ...modes]) {
  const modeRt = await createRuntime('bench', { ...env, FANOUT_API_AUTH: mode });
  const api = await startApi(modeRt);
  const url = `http://127.0.0.1:${api.port}/v1/topics/bench-auth/events`;
  await perCall(`  FANOUT_API_AUTH=${mode}`, requests, async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"key":"k"}',
    });
    await res.arrayBuffer();
    if (res.status !== 400) throw new Error(`expected 400, got ${res.status}`);
  });
  await api.stop();
  await modeRt.close();
}
await rt.close();
