/**
 * Top costs of a V8 CPU profile (from `node --cpu-prof`, e.g. a bridge run of the suite with
 * FANOUT_BENCH_PROFILE_DIR set): self time by function and by file, as shares of samples.
 *   node bench/profileSummary.ts <file.cpuprofile> [top=25] [from µs] [to µs]
 * `from` and `to` keep only the samples taken in that window, on the monotonic clock the
 * profile uses (a benchmark that profiles prints its measured window so).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  timeDeltas: number[];
}

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
if (file === undefined)
  throw new Error('usage: node bench/profileSummary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map<number, number>();
const from = fromArg === undefined ? -Infinity : Number(fromArg);
const to = toArg === undefined ? Infinity : Number(toArg);
let at = profile.startTime;
let kept = 0;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at < from || at > to) return;
  kept++;
  hits.set(id, (hits.get(id) ?? 0) + 1);
});

const shortUrl = (url: string): string =>
  url.replace(/^file:\/\/.*?\/(node_modules|libs|services)\//, '$1/').replace(/^node:/, 'node:');
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
let idle = 0;
for (const [id, n] of hits) {
  const frame = byId.get(id)!.callFrame;
  const name = frame.functionName || '(anonymous)';
  if (name === '(idle)') {
    idle += n;
    continue;
  }
  const where = shortUrl(frame.url) || '(native)';
  const fn = `${name} ${where}:${frame.lineNumber + 1}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + n);
  const pkg = where.startsWith('node_modules/') ? where.split('/').slice(0, 2).join('/') : where;
  selfByFile.set(pkg, (selfByFile.get(pkg) ?? 0) + n);
}
const busy = kept - idle;
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (share of ${busy} busy samples; ${idle} idle)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((v / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
print('self time by function', selfByFunction);
print('self time by file or package', selfByFile);
