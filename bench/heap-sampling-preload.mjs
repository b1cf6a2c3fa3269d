// Preloaded into the hub by bench/request-allocation.ts (`node --import <this>`):
// SIGUSR2 starts V8's sampling heap profiler, counting objects the collector has already freed too
// (so the profile is what was allocated, not what survived); the next SIGUSR2 writes the profile
// to $HEAP_SAMPLING_OUT. With HEAP_SAMPLING_SURVIVORS=1 objects freed by a scavenge are left out:
// the profile is what lived through at least one (promoted, or alive at the end).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.HEAP_SAMPLING_SURVIVORS !== '1',
    });
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.HEAP_SAMPLING_OUT, JSON.stringify(result.profile));
  });
});
