import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../../libs/config/settings.ts';

const root = new URL('../../../', import.meta.url);

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
}

async function compose(): Promise<{ services: Record<string, ComposeService> }> {
  return parse(await readFile(new URL('docker-compose.kafka.yml', root), 'utf8'), {
    merge: true,
  }) as { services: Record<string, ComposeService> };
}

test('docker-compose.kafka.yml parses and holds Kafka, PostgreSQL, Redis, api, bridge and router', async () => {
  const { services } = await compose();
  assert.deepEqual(Object.keys(services).sort(), [
    'api',
    'bridge',
    'kafka',
    'postgres',
    'redis',
    'router',
  ]);
  assert.deepEqual(services.api!.command, [
    'node',
    '--max-semi-space-size=32',
    'services/api/main.ts',
  ]);
  assert.deepEqual(services.bridge!.command, ['node', 'services/bridge/main.ts']);
  assert.deepEqual(services.router!.command, ['node', 'services/router/main.ts']);
});

test('the compose Kafka is the version the local stack pins', async () => {
  const { services } = await compose();
  const pom = await readFile(new URL('deploy/local/kafka/pom.xml', root), 'utf8');
  const pinned = /<kafka.version>([^<]+)<\/kafka.version>/.exec(pom)?.[1];
  assert.equal(services.kafka!.image, `apache/kafka:${pinned}`);
});

test('the Fanout services set only variables the config schema knows', async () => {
  const known = new Set(Object.values(SETTINGS).map((s) => s.env));
  const { services } = await compose();
  for (const name of ['api', 'bridge', 'router']) {
    for (const key of Object.keys(services[name]!.environment ?? {})) {
      assert.ok(known.has(key), `${name} sets unknown ${key}`);
    }
  }
});

test('the api runs with the same node flags in compose, in Kubernetes and as the image default', async () => {
  const { services } = await compose();
  const k8s = parseAllDocuments(await readFile(new URL('deploy/k8s/api.yaml', root), 'utf8'))
    .map(
      (d) =>
        d.toJS() as {
          kind: string;
          spec: { template: { spec: { containers: { command: string[] }[] } } };
        },
    )
    .find((d) => d.kind === 'Deployment');
  assert.deepEqual(k8s?.spec.template.spec.containers[0]!.command, services.api!.command);
  const dockerfile = await readFile(new URL('deploy/docker/Dockerfile', root), 'utf8');
  const cmd = /^CMD (.+)$/m.exec(dockerfile)?.[1];
  assert.deepEqual(JSON.parse(cmd ?? 'null'), services.api!.command);
});
