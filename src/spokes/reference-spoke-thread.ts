// The thread a hub's `--spokes` runs its reference spokes on (spoke-supervisor.ts starts it). One
// thread for all of them: three spokes as three Node processes cost ~90 MB each, on one thread of
// the hub's process ~40 MB together, and they cannot outlive the hub (even `kill -9`), because
// they are in its process. Their own event loop keeps their maths off the hub's.
import { parentPort, workerData } from 'node:worker_threads';
import { readSpokeEnvironment } from '../config/spoke-environment.js';
import { createLogger } from '../logger.js';
import type { ReferenceSpokeName } from './reference-spokes.js';
import { startReferenceSpoke } from './start-reference-spoke.js';

export interface SpokeThreadData {
  names: ReferenceSpokeName[];
  /** Absent while the hub starts: it comes as a `{ hubUrl }` message. */
  hubUrl?: string;
  registryToken?: string;
  ttlSeconds: number;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /** Names this hub's instances (`market-<key>`): the same on every start of the same hub. */
  instanceKey: string;
}

export type SpokeThreadMessage =
  | { registered: ReferenceSpokeName; serviceId: string; url: string }
  | { failed: ReferenceSpokeName; error: string }
  | { stopped: true };

const port = parentPort!;
const data = workerData as SpokeThreadData;
const env = readSpokeEnvironment();
const post = (message: SpokeThreadMessage) => port.postMessage(message);

// The spokes open their ports while the hub opens its database, and register once it listens.
const hubUrl: Promise<string> = data.hubUrl
  ? Promise.resolve(data.hubUrl)
  : new Promise<string>((resolve) => {
      const take = (message: { hubUrl?: string }) => {
        if (!message.hubUrl) return;
        port.off('message', take);
        resolve(message.hubUrl);
      };
      port.on('message', take);
    });

const spokes = await Promise.all(
  data.names.map(async (name) => {
    const serviceId = `${name}-${data.instanceKey}`;
    try {
      const spoke = await startReferenceSpoke({
        name,
        // A free port: several hubs (two desktop clients, `npm start` beside one) never collide.
        port: 0,
        host: '127.0.0.1',
        serviceId,
        registryToken: data.registryToken ?? env.registryToken,
        ttlSeconds: data.ttlSeconds,
        env,
        logger: createLogger({ level: data.logLevel, component: `spoke:${name}`, format: data.logFormat }),
      });
      void hubUrl.then(async (url) => {
        await spoke.registerWith(url).registered;
        post({ registered: name, serviceId, url: spoke.mcpUrl });
      });
      return spoke;
    } catch (error) {
      post({ failed: name, error: (error as Error).message });
      return undefined;
    }
  }),
);

port.on('message', async (message: { stop?: true }) => {
  if (!message.stop) return;
  // Deregistered before the hub closes: its catalogue and list_changed stay truthful.
  await Promise.all(spokes.map((spoke) => spoke?.close().catch(() => {})));
  post({ stopped: true });
});
