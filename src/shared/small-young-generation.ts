import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';

/**
 * A stdio hub is a desktop's: one client, a few calls a minute, and a memory budget (SPEC §10: the
 * hub with its three spokes ≤ 250 MB idle). While start-up allocates, V8 grows the main thread's
 * young generation to 2 × 16 MiB, and it stays grown until the memory reducer runs, which it may not
 * have by the time the desktop is idle. A semi-space growth factor of 1 holds it at its initial size
 * (the workers cap theirs at 4 MiB through their resource limits).
 *
 * Set at run time because the command cannot pass node flags (npx starts it through its shebang);
 * V8 reads the flag whenever it considers growing the space. Two traps, both seen with
 * `v8.getHeapSpaceStatistics()`: the same flag on node's command line has no effect, and every new
 * isolate — each worker thread's start — puts it back to 2. So while a worker is starting the flag
 * is set again every millisecond the event loop allows, and once more when the worker is online:
 * with 'online' alone the space still grew to 2 × 8 MiB during the two workers' starts.
 * Measured, warm desktop hub (scratch, four or five starts each): RSS 3 s after start 239–249 →
 * 216–219 MiB, after 20 s idle 212–244 → 208–211 MiB; stdio throughput at 10 concurrent calls
 * unchanged. An HTTP hub keeps V8's default: it serves load, where fewer scavenges pay.
 */
let small = false;

export function keepYoungGenerationSmall(): void {
  small = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Called for every worker the process starts: its start resets the flag (see above). */
export function keepYoungGenerationSmallAfter(worker: Worker): void {
  if (!small) return;
  const again = setInterval(keepYoungGenerationSmall, 1);
  worker.once('online', () => {
    clearInterval(again);
    keepYoungGenerationSmall();
  });
  // A worker that fails before it is online must not leave the interval running.
  worker.once('exit', () => clearInterval(again));
}
