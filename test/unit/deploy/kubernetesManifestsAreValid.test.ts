import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../../libs/config/settings.ts';

const dir = new URL('../../../deploy/k8s/', import.meta.url);
const root = new URL('../../../', import.meta.url);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // each kind is checked by its own schema below; this is only the shape we read
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Container {
  name: string;
  command?: string[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

// The schema each kind is validated against (Kubernetes' and KEDA's OpenAPI schemas).
const MODELS: Record<string, new (m: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

async function manifests(): Promise<Manifest[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const all: Manifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(new URL(file, dir), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file} does not parse`);
      all.push(doc.toJS() as Manifest);
    }
  }
  return all;
}

function containersOf(m: Manifest): Container[] {
  const template = m.spec?.template as { spec: { containers: Container[] } };
  return template.spec.containers;
}

test('every manifest parses and is valid against its kind’s schema', async () => {
  const all = await manifests();
  assert.ok(all.length >= 9);
  for (const m of all) {
    const Model = MODELS[`${m.apiVersion}/${m.kind}`];
    assert.ok(Model, `no schema known for ${m.apiVersion} ${m.kind} (${m.metadata.name})`);
    assert.doesNotThrow(() => new Model(m as never).validate(), `${m.kind} ${m.metadata.name}`);
  }
});

test('the kustomization lists every manifest file', async () => {
  const kustomization = await readFile(new URL('kustomization.yaml', dir), 'utf8');
  for (const f of readdirSync(dir).filter(
    (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
  )) {
    assert.match(kustomization, new RegExp(`- ${f.replace('.', '\\.')}\\b`), `${f} not listed`);
  }
});

test('api, bridge and router run as Deployments with probes, resources and a disruption budget', async () => {
  const all = await manifests();
  for (const service of ['api', 'bridge', 'router']) {
    const name = `fanout-${service}`;
    const deployment = all.find((m) => m.kind === 'Deployment' && m.metadata.name === name);
    assert.ok(deployment, `${name} Deployment missing`);
    const [container] = containersOf(deployment);
    // node flags may come before the script (the api's young generation, say)
    const command = container!.command!.filter((arg) => !arg.startsWith('--'));
    assert.deepEqual(command, ['node', `services/${service}/main.ts`]);
    assert.ok(container!.readinessProbe, `${name} readiness probe`);
    assert.ok(container!.livenessProbe, `${name} liveness probe`);
    assert.ok(container!.resources?.requests?.cpu && container!.resources?.requests?.memory);
    assert.ok(container!.resources?.limits?.memory, `${name} memory limit`);
    const pdb = all.find((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === name);
    const selector = (pdb?.spec?.selector as { matchLabels: Record<string, string> }) ?? {};
    assert.equal(selector.matchLabels?.['app.kubernetes.io/name'], name, `${name} PDB`);
  }
});

test('the commands run services that exist', async () => {
  const all = await manifests();
  for (const m of all.filter((m) => m.kind === 'Deployment')) {
    const script = containersOf(m)[0]!.command!.at(-1)!;
    assert.ok(existsSync(new URL(script, root)), `${m.metadata.name} runs missing ${script}`);
  }
});

test('config reaches the pods only through the ConfigMap and Secret, with variables the config schema knows', async () => {
  const known = new Set(Object.values(SETTINGS).map((s) => s.env));
  const all = await manifests();
  const configMap = all.find((m) => m.kind === 'ConfigMap')!;
  const secret = all.find((m) => m.kind === 'Secret')!;
  for (const key of [...Object.keys(configMap.data!), ...Object.keys(secret.stringData!)]) {
    assert.ok(known.has(key), `deploy/k8s sets unknown ${key}`);
  }
  for (const m of all.filter((m) => m.kind === 'Deployment')) {
    for (const c of containersOf(m)) {
      for (const e of c.env ?? [])
        assert.ok(known.has(e.name), `${m.metadata.name} sets ${e.name}`);
      const refs = (c.envFrom ?? []).map((r) => r.configMapRef?.name ?? r.secretRef?.name);
      assert.deepEqual(refs, [configMap.metadata.name, secret.metadata.name]);
    }
  }
  // every loaded value parses with the config schema, as the pods would at start-up
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const raw = configMap.data![setting.env] ?? secret.stringData![setting.env];
    if (raw !== undefined) assert.doesNotThrow(() => setting.parse(raw), key);
  }
});

test('the probes hit the ports the services listen on', async () => {
  const all = await manifests();
  const configMap = all.find((m) => m.kind === 'ConfigMap')!;
  const ports: Record<string, string> = {
    'fanout-api': configMap.data!.FANOUT_API_PORT!,
    'fanout-bridge': configMap.data!.FANOUT_HEALTH_PORT!,
    'fanout-router': configMap.data!.FANOUT_HEALTH_PORT!,
  };
  for (const m of all.filter((m) => m.kind === 'Deployment')) {
    const c = containersOf(m)[0] as Container & {
      ports: { name: string; containerPort: number }[];
      readinessProbe: { httpGet: { path: string; port: string } };
    };
    const port = c.ports.find((p) => p.name === c.readinessProbe.httpGet.port);
    assert.equal(String(port?.containerPort), ports[m.metadata.name], m.metadata.name);
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  }
});

test('the bridge scales on a lag metric Fanout exports', async () => {
  const all = await manifests();
  const scaler = all.find((m) => m.kind === 'ScaledObject')!;
  assert.deepEqual(scaler.spec!.scaleTargetRef, { name: 'fanout-bridge' });
  const [trigger] = scaler.spec!.triggers as { type: string; metadata: { query: string } }[];
  assert.equal(trigger!.type, 'prometheus');
  const metrics = trigger!.metadata.query.match(/fanout_[a-z_]+/g) ?? [];
  assert.ok(metrics.length > 0 && metrics.every((m) => m.includes('lag')), 'queries lag');
  const registered = await readFile(new URL('libs/metrics/fanoutMetrics.ts', root), 'utf8');
  for (const metric of metrics) {
    assert.ok(registered.includes(`name: '${metric}'`), `${metric} is not a metric Fanout exports`);
  }
});
