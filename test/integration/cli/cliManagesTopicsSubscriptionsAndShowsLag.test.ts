import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStackAndSink, stopAll, uniqueName, type TestStack } from '../../helpers/testStack.ts';
import { runFanout, type Ran } from '../../helpers/fanoutCli.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink());
});
after(() => stopAll(stack, sink));

/** Runs `fanout ARGS` against the test stack's API. */
function fanout(args: string[], input?: string, api = stack.baseUrl): Promise<Ran> {
  return runFanout(args, { FANOUT_API_URL: api }, input);
}

test('fanout creates a topic and a subscription, produces, pauses, tails and prints lag like kafka-consumer-groups, with --json for scripts', async () => {
  const topic = uniqueName('cli');
  const created = await fanout(['topics', 'create', topic, '--partitions', '2']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, new RegExp(`created topic ${topic} with 2 partitions`));
  const listed = await fanout(['--json', 'topics', 'list']);
  assert.ok((JSON.parse(listed.stdout) as { name: string }[]).some((t) => t.name === topic));

  sink.respond = () => 500;
  const sub = await fanout(['subs', 'create', '--topic', topic, '--endpoint', sink.url, '--json']);
  assert.equal(sub.code, 0, sub.stderr);
  const id = (JSON.parse(sub.stdout) as { id: string }).id;

  const one = await fanout(['produce', topic, '--key', 'k1', '{"n": 1}']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /partition \d+ {2}offset \d+/);
  const many = await fanout(['produce', topic, '--json'], '{"n": 2}\n{"n": 3}\n\n{"n": 4}\n');
  assert.equal(many.code, 0, many.stderr);
  assert.equal((JSON.parse(many.stdout) as { events: unknown[] }).events.length, 3);

  const tail = await fanout(['tail', topic, '--from', 'earliest', '--limit', '4', '--json']);
  assert.equal(tail.code, 0, tail.stderr);
  const tailed = tail.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { value: string });
  assert.deepEqual(
    tailed.map((e) => (JSON.parse(e.value) as { n: number }).n).sort(),
    [1, 2, 3, 4],
  );

  // the endpoint fails everything: four events behind
  await waitFor(async () => {
    const r = await fanout(['lag', id, '--json']);
    return r.code === 0 && (JSON.parse(r.stdout) as { lagMessages: number }).lagMessages === 4;
  }, 'four behind');
  const lag = await fanout(['lag', id]);
  assert.equal(lag.code, 0, lag.stderr);
  const lines = lag.stdout.trim().split('\n');
  assert.match(
    lines[0]!,
    /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+LAG-AGE\s+EVALUATION$/,
  );
  const rows = lines.slice(1, 3).map((l) => l.split(/\s+/));
  assert.deepEqual(
    rows.map((r) => r[0]),
    [`fanout.sub.${id}`, `fanout.sub.${id}`],
  );
  assert.equal(
    rows.reduce((a, r) => a + Number(r[5]), 0),
    4,
  );
  assert.ok(
    rows.every((r) => Number(r[4]) - Number(r[3]) === Number(r[5])),
    lag.stdout,
  );
  assert.match(lag.stdout, new RegExp(`${id} {2}[A-Z]+ {2}4 behind, oldest`));
  const byTopic = await fanout(['lag', '--topic', topic, '--json']);
  assert.equal((JSON.parse(byTopic.stdout) as unknown[]).length, 1);

  const paused = await fanout(['subs', 'pause', id]);
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /is paused/);
  const subs = JSON.parse((await fanout(['--json', 'subs', 'list', '--topic', topic])).stdout) as {
    state: string;
  }[];
  assert.deepEqual(
    subs.map((s) => s.state),
    ['paused'],
  );
  const dlq = await fanout(['dlq', 'list', id]);
  assert.equal(dlq.code, 0, dlq.stderr);
  assert.match(dlq.stdout, /0 dead letter\(s\)/);
  const seek = await fanout(['subs', 'seek', id, '--to', 'earliest', '--dry-run', '--json']);
  assert.equal(seek.code, 0, seek.stderr);
});

test('fanout exits 1 with the API error, 2 on a bad command line, 3 when the API is unreachable', async () => {
  const refused = await fanout(['subs', 'pause', 'not-an-id']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FANOUT_VALIDATION: .* \(field id\)/);
  const missing = await fanout(['topics', 'create']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing NAME/);
  const unknown = await fanout(['subs', 'list', '--colour']);
  assert.equal(unknown.code, 2);
  const badJson = await fanout(['produce', 'whatever', '{not json']);
  assert.equal(badJson.code, 2);
  const down = await fanout(['topics', 'list'], undefined, 'http://127.0.0.1:1');
  assert.equal(down.code, 3);
  assert.match(down.stderr, /cannot reach the Fanout API/);
  const noTopic = await fanout(['tail', uniqueName('nope'), '--limit', '1']);
  assert.equal(noTopic.code, 1);
});
