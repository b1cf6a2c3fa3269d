// What one registry request allocates in the hub: `tsx bench/request-allocation.ts [instances] [requests]`
// (default 3000 2000). Registers the instances as bench/run.ts does, then for each lookup samples
// the hub's heap allocations (V8's sampling heap profiler, one sample per 4 KB on average, freed
// objects included) over `requests` sequential GETs and prints KB per request and the top
// allocation sites. Measured at 3,000 instances: GET /services?limit=50 302 KB a request while a
// listed instance was a rest/spread copy, 138 KB since it is built field by field.
// `--survivors` counts only what lived through a scavenge (what makes the collector's pauses long).
// Each lookup also reports the hub's CPU per request (all threads, /proc, before profiling).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryGetter } from './http-get.js';
import { cpuMs, ROOT, startHubProcess, startPrinting, stop } from './processes.js';
import { registerScaleInstances, scaleServiceId } from './scale-registry.js';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const survivors = process.argv.includes('--survivors');
const [instances = 3000, requests = 2000] = process.argv
  .slice(2)
  .filter((arg) => arg !== '--survivors')
  .map(Number);
const dir = mkdtempSync(join(tmpdir(), 'fin-hub-request-allocation-'));
const profilePath = join(dir, 'profile.json');
const spoke = await startPrinting(['--import', 'tsx', 'bench/raw-spoke.ts', '0']);
const hub = await startHubProcess(
  19_500 + Math.floor(Math.random() * 200),
  join(dir, 'db'),
  [],
  {
    FIN_HUB_RATE_REGISTRY_WRITES: '100000000',
    HEAP_SAMPLING_OUT: profilePath,
    HEAP_SAMPLING_SURVIVORS: survivors ? '1' : '0',
  },
  ['--import', `${ROOT}bench/heap-sampling-preload.mjs`],
);
await registerScaleInstances(hub.url, 0, instances, spoke.info.port);

/** Sums self sizes by allocation site (function, file, line). */
function bySite(node: ProfileNode, sites: Map<string, number>): number {
  const { functionName, url: file, lineNumber } = node.callFrame;
  const site = `${functionName || '(anonymous)'} ${file.replace(/.*node_modules\//, '').replace(ROOT, '')}:${lineNumber + 1}`;
  sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
  return node.children.reduce((sum, child) => sum + bySite(child, sites), node.selfSize);
}

const get = registryGetter(hub.url).body;
for (const path of [
  '/api/v1/services?limit=50',
  `/api/v1/services/${scaleServiceId(Math.floor(instances / 2))}`,
  '/api/v1/tools?limit=50',
]) {
  for (let i = 0; i < 200; i++) await get(path); // warm-up (JIT)
  // The hub's CPU per request (all its threads), before the profiler adds its own.
  const cpuBefore = cpuMs(hub.child.pid!);
  for (let i = 0; i < requests; i++) await get(path);
  const cpuPerRequest = ((cpuMs(hub.child.pid!) - cpuBefore) / requests) * 1000;
  rmSync(profilePath, { force: true });
  hub.child.kill('SIGUSR2');
  for (let i = 0; i < requests; i++) await get(path);
  hub.child.kill('SIGUSR2');
  // Written by the hub in one synchronous call: poll until it is there whole.
  const deadline = Date.now() + 30_000;
  let head: ProfileNode | undefined;
  while (!head) {
    if (Date.now() > deadline) throw new Error('the hub wrote no heap profile');
    try {
      head = (JSON.parse(readFileSync(profilePath, 'utf8')) as { head: ProfileNode }).head;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const sites = new Map<string, number>();
  const total = bySite(head, sites);
  process.stdout.write(
    `GET ${path}: ${(total / 1024 / requests).toFixed(0)} KB ${survivors ? 'surviving a scavenge' : 'allocated'} per request (${instances} instances); hub CPU ${cpuPerRequest.toFixed(0)} µs per request\n`,
  );
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 8))
    process.stdout.write(`  ${(bytes / 1024 / requests).toFixed(1).padStart(7)} KB  ${site}\n`);
}
await stop(hub.child);
spoke.child.kill();
rmSync(dir, { recursive: true, force: true });
