// The spoke's CPU per call when driven directly, with no hub beside it: `tsx bench/spoke-alone.ts [raw|sdk] [concurrency] [seconds]`.
// bench/profile-hub.ts prints the same spoke's CPU per call through the hub; the two together show how
// much of the hub path's cost is the spoke working harder beside the hub (measured: the SDK spoke
// 375–400 µs per call alone, 450–590 µs beside the hub, on this machine's two shared cores).
import { drive } from './load.js';
import { cpuMs, startPrinting } from './processes.js';

const [kind = 'sdk', c = '10', seconds = '8'] = process.argv.slice(2);
const spoke = await startPrinting(['--import', 'tsx', `bench/${kind}-spoke.ts`, '0']);
const url = `http://127.0.0.1:${spoke.info.port}/mcp`;

// Warm-up (JIT) before the measured window, as bench/profile-hub.ts does.
await drive(url, 'echo', Number(c), 6, 'legacy');
const before = cpuMs(spoke.child.pid!);
const cell = await drive(url, 'echo', Number(c), Number(seconds), 'legacy');
const used = cpuMs(spoke.child.pid!) - before;
process.stderr.write(
  `${kind} spoke alone, c=${c}: ${cell.rps.toFixed(0)} calls/s, ${((used / cell.calls) * 1000).toFixed(0)} µs CPU per call\n`,
);
spoke.child.kill();
