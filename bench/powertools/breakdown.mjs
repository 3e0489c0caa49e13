// Where the Node side's CPU time goes: reads the .cpuprofile files that
// `node --cpu-prof bench.mjs …` writes and prints one Markdown row per
// profile, the share of each category in the samples, the counterpart of
// `bench breakdown` for the Go side.
//
//   node breakdown.mjs PROFILE.cpuprofile...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// A sample belongs to the first category whose test matches its stack
// (frames from the leaf to the root). Builtins such as JSON.parse have no
// frame of their own: their time is their caller's, so the record
// handler's own time is the payload's JSON.parse (or unmarshall's, below
// it), and invoke's own time is the event's JSON.parse and the response's
// JSON.stringify (the response is a few kilobytes, the event megabytes).
const categories = [
  ['GC', (s) => s[0].functionName === '(garbage collector)'],
  ['handler', (s) => s.some((f) => f.functionName === 'handleOrder')],
  ['payload decoding', (s) => s.some((f) => f.functionName === 'handler' && f.url.endsWith('bench.mjs'))],
  ['Powertools', (s) => s.some((f) => f.url.includes('@aws-lambda-powertools'))],
  ['event decoding and response', (s) => s.some((f) => f.functionName === 'invoke' && f.url.endsWith('bench.mjs'))],
  ['idle', (s) => s[0].functionName === '(idle)'],
];
const other = 'runtime, other';

const row = (file) => {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id) => {
    const frames = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur).callFrame);
    return frames;
  };
  const cache = new Map();
  const categoryOf = (id) => {
    if (!cache.has(id)) {
      const s = stack(id);
      cache.set(id, categories.find(([, test]) => test(s))?.[0] ?? other);
    }
    return cache.get(id);
  };
  const times = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const c = categoryOf(id);
    if (c === 'idle') return; // not CPU time
    times.set(c, (times.get(c) ?? 0) + dt);
    total += dt;
  });
  const cells = [...categories.map(([name]) => name).filter((n) => n !== 'idle'), other].map(
    (c) => `${Math.round((100 * (times.get(c) ?? 0)) / total)} %`,
  );
  return `| ${basename(file)} | ${(total / 1e6).toFixed(2)} s | ${cells.join(' | ')} |`;
};

const names = [...categories.map(([name]) => name).filter((n) => n !== 'idle'), other];
console.log(`| profile | CPU samples | ${names.join(' | ')} |`);
console.log(`|---|---:|${names.map(() => '---:').join('|')}|`);
for (const f of process.argv.slice(2)) console.log(row(f));
