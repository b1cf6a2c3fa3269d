// Profiles the built hub under tools/call load: `tsx bench/profile-hub.ts [raw|sdk] [concurrency] [seconds] [legacy|modern]`
// (HUB_NODE_FLAGS adds Node flags to the hub's command line, e.g. HUB_NODE_FLAGS=--max-semi-space-size=64;
// GC_TRACE=1 adds --trace-gc-nvp and prints, for the load window, what the hub's main thread allocated
// and promoted per call and what its collections cost: objects a call leaves reachable past a
// scavenge are what makes a hub's collector expensive, see docs/performance.md).
// This machine's speed drifts by tens of percent between runs: compare the hub's CPU per call to the
// spoke's (printed as a ratio), not to another run's.
// Starts a spoke and `node --cpu-prof dist/bin/fin-hub.js`, drives load, stops the hub and prints the
// self time of the hottest functions and of each package, from the .cpuprofile it wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drive, type Era } from './load.js';
import { ROOT, startPrinting, stop, threadTimes } from './processes.js';

const [kind = 'raw', c = '1', seconds = '5', era = 'legacy'] = process.argv.slice(2) as [
  string?,
  string?,
  string?,
  Era?,
];
const dir = mkdtempSync(join(tmpdir(), 'fin-hub-profile-'));
const spoke = await startPrinting(['--import', 'tsx', `bench/${kind}-spoke.ts`, '0']);
const port = 19_700 + Math.floor(Math.random() * 200);
const hub = spawn(
  process.execPath,
  [
    ...(process.env.HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ...(process.env.GC_TRACE ? ['--trace-gc-nvp'] : []),
    ...(process.env.NO_PROFILE ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`]),
    `${ROOT}dist/bin/fin-hub.js`,
    '--port',
    String(port),
    '--db',
    join(dir, 'db'),
    '--log-level',
    'error',
  ],
  {
    cwd: ROOT,
    // V8 prints its GC trace on stdout (the HTTP hub writes nothing else there).
    stdio: ['ignore', process.env.GC_TRACE ? openSync(join(dir, 'gc.log'), 'w') : 'ignore', 'inherit'],
    env: { ...process.env, FIN_HUB_RATE_TOOL_CALLS: '100000000' },
  },
);
const url = `http://127.0.0.1:${port}`;
while (!(await fetch(`${url}/health`).catch(() => undefined))?.ok)
  await new Promise((r) => setTimeout(r, 100));
await fetch(`${url}/api/v1/services/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    service_id: 'p-1',
    service_name: 'p',
    address: '127.0.0.1',
    port: spoke.info.port,
    tool_prefix: 'p',
    // As bench/run.ts registers the spoke of its "hub → SDK spoke" row: one upstream session
    // shared by every caller, a typed argument.
    shared_session: true,
    tools: [
      {
        name: 'echo',
        input_schema: { type: 'object', properties: { text: { type: 'string' } } },
        annotations: { readOnlyHint: true },
      },
    ],
  }),
});
// Warm-up (JIT of hub and spoke) before the measured window.
await drive(`${url}/mcp`, 'p_echo', Number(c), 6, era);
// V8 stamps samples with the monotonic clock in µs, which every process shares: only samples
// inside the load window are counted (start-up and shutdown are left out).
const windowStart = Number(process.hrtime.bigint() / 1000n);
const gcLogAt = () => (process.env.GC_TRACE ? readFileSync(join(dir, 'gc.log'), 'utf8').length : 0);
const gcBefore = gcLogAt();
const cpuBefore = threadTimes(hub.pid!);
const spokeBefore = threadTimes(spoke.child.pid!);
const cell = await drive(`${url}/mcp`, 'p_echo', Number(c), Number(seconds), era);
const windowEnd = Number(process.hrtime.bigint() / 1000n);
// CPU time per thread of the hub during the load, from /proc (clock ticks of 10 ms).
const cpuAfter = threadTimes(hub.pid!);
if (process.env.GC_TRACE)
  printCollections(readFileSync(join(dir, 'gc.log'), 'utf8').slice(gcBefore, gcLogAt()));
const rssMiB =
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const spokeAfter = threadTimes(spoke.child.pid!);
const cpuOf = (m: Map<string, [string, number, number]>) =>
  [...m.values()].reduce((n, [, ticks]) => n + ticks, 0);
const hubTotal = (cpuOf(cpuAfter) - cpuOf(cpuBefore)) * 10;
const spokeTotal = (cpuOf(spokeAfter) - cpuOf(spokeBefore)) * 10;
process.stderr.write(
  `hub, all threads: ${((hubTotal / cell.calls) * 1000).toFixed(0)} µs CPU per call; ${kind} spoke: ${((spokeTotal / cell.calls) * 1000).toFixed(0)} µs per call; hub/spoke ${(hubTotal / spokeTotal).toFixed(2)}\n`,
);
for (const [tid, [name, ticks, system]] of cpuAfter) {
  const used = (ticks - (cpuBefore.get(tid)?.[1] ?? 0)) * 10;
  const kernel = (system - (cpuBefore.get(tid)?.[2] ?? 0)) * 10;
  if (used >= 20)
    process.stderr.write(
      `thread ${tid} ${name}: ${used} ms CPU (${kernel} ms in the kernel), ${((used / cell.calls) * 1000).toFixed(0)} µs per call\n`,
    );
}
process.stderr.write(
  `${kind} c=${c}: ${cell.rps.toFixed(0)} calls/s p50 ${cell.p50} p99 ${cell.p99} errors ${cell.errors}; hub RSS ${rssMiB.toFixed(0)} MiB at the end of the load\n`,
);
await stop(hub);
spoke.child.kill();

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}
/** Zeroes the time of samples outside the load window. */
function keepWindow(p: Profile): void {
  let at = p.startTime;
  p.timeDeltas = p.timeDeltas.map((dt) => {
    at += dt;
    return at >= windowStart && at <= windowEnd ? dt : 0;
  });
}
if (process.env.NO_PROFILE) process.exit(0);
// One profile per thread: the main thread's is the largest; the embedded database's thread has its own.
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
for (const f of files) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
  keepWindow(p);
  const idleId = p.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
  let busy = 0;
  let all = 0;
  p.samples.forEach((id, i) => {
    all += p.timeDeltas[i] ?? 0;
    if (id !== idleId) busy += p.timeDeltas[i] ?? 0;
  });
  process.stderr.write(
    `thread profile ${f}: busy ${(busy / 1000).toFixed(0)} ms of ${(all / 1000).toFixed(0)} ms\n`,
  );
}
// PROFILE_THREAD=worker shows the embedded database's thread; the default is the event loop's.
const isWorker = (f: string) => readFileSync(join(dir, f), 'utf8').includes('pglite-worker');
const file = files.find((f) => isWorker(f) === (process.env.PROFILE_THREAD === 'worker'))!;
process.stderr.write(`showing ${file}\n`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const frame = byId.get(id)!.callFrame;
  const where = frame.url.replace(/^.*node_modules\//, '').replace(`file://${ROOT}`, '');
  const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const pkg = frame.url.includes('node_modules/')
    ? frame.url
        .split('node_modules/')[1]!
        .split('/')
        .slice(0, frame.url.split('node_modules/')[1]!.startsWith('@') ? 2 : 1)
        .join('/')
    : frame.url.startsWith('wasm:')
      ? 'wasm (PGlite)'
      : frame.url.startsWith('node:')
        ? frame.url
        : frame.url
          ? 'fin-hub'
          : frame.functionName;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
});
// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(`file://${ROOT}`, '')}:${f.lineNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
});
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stderr.write(
  `\nby package:\n${top(byPackage, 25)}\n\nhottest functions:\n${top(self, 30)}\n\ninclusive:\n${top(inclusive, 60)}\n`,
);

/** The main isolate's collections in the load window, per call (from --trace-gc-nvp lines). */
function printCollections(trace: string): void {
  const totals = { s: 0, mc: 0, allocated: 0, promoted: 0, survived: 0, scavengeMs: 0, markCompactMs: 0 };
  let isolate: string | undefined;
  for (const line of trace.split('\n')) {
    const head = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line);
    if (!head) continue;
    // The first isolate seen is the main thread's (the embedded database's worker has its own).
    isolate ??= head[1];
    if (head[1] !== isolate) continue;
    const field = (name: string) => Number(new RegExp(`(?:^| )${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
    const kind = / gc=(\w+)/.exec(line)?.[1];
    if (kind === 's') {
      totals.s++;
      totals.allocated += field('allocated');
      totals.promoted += field('promoted');
      totals.survived += field('new_space_survived');
      totals.scavengeMs += field('pause') + field('background.scavenge.parallel');
    } else if (kind === 'mc' || kind === 'mmc') {
      totals.mc++;
      totals.markCompactMs += field('pause') + field('background.mark') + field('background.sweep');
    }
  }
  const per = (n: number) => (n / cell.calls).toFixed(0);
  process.stderr.write(
    `main thread GC: ${per(totals.allocated)} B allocated and ${per(totals.promoted)} B promoted per call; ` +
      `${totals.s} scavenges (${per(totals.scavengeMs * 1000)} µs per call, ${(totals.survived / Math.max(1, totals.s) / 1024).toFixed(0)} KB surviving each), ` +
      `${totals.mc} full collections (${per(totals.markCompactMs * 1000)} µs per call)\n`,
  );
}
