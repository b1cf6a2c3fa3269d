import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { startModuleWorker } from '../shared/module-worker.js';
import type { SpokeThreadData, SpokeThreadMessage } from '../spokes/reference-spoke-thread.js';
import type { ReferenceSpokeName } from '../spokes/reference-spokes.js';

export interface SpokeSupervisorOptions {
  names: ReferenceSpokeName[];
  /**
   * Where the spokes register. A promise lets the thread start (load its modules, open its ports)
   * while the hub is still opening its database; the spokes register once it resolves.
   */
  hubUrl: string | Promise<string>;
  logger: Logger;
  /** Names this hub's instances, stable across its restarts (a restart replaces, never adds). */
  instanceKey: string;
  registryToken?: string;
  logLevel?: string;
  /** Resolved by the hub: a thread's stderr is never a terminal. */
  logFormat?: 'json' | 'pretty';
  /** @default 30 */
  ttlSeconds?: number;
  /** The thread's module, relative to this file (tests run a fixture that misbehaves). */
  threadModule?: string;
}

/**
 * Runs a hub's `--spokes` on one worker thread (reference-spoke-thread.ts), each spoke on a free
 * port and registered over real HTTP like any other; restarts the thread when it dies (with
 * backoff) and stops it with the hub. `registered(ms)` is how the stdio front holds its first
 * `tools/list` until the spokes' tools are there.
 */
export function startSpokeSupervisor(options: SpokeSupervisorOptions) {
  const { logger } = options;
  let worker: Worker | undefined;
  let stopping = false;
  let restarts = 0;
  const registered = new Set<ReferenceSpokeName>();
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  let hubUrl: string | undefined;
  if (typeof options.hubUrl === 'string') hubUrl = options.hubUrl;
  else
    options.hubUrl.then(
      (url) => {
        hubUrl = url;
        worker?.postMessage({ hubUrl: url });
      },
      () => {}, // the hub did not start: the CLI closes this supervisor
    );

  function launch(): void {
    const data: SpokeThreadData = {
      names: options.names,
      hubUrl,
      registryToken: options.registryToken,
      ttlSeconds: options.ttlSeconds ?? 30,
      logLevel: options.logLevel ?? 'info',
      logFormat: options.logFormat ?? 'json',
      instanceKey: options.instanceKey,
    };
    const thread = startModuleWorker(
      import.meta.url,
      options.threadModule ?? '../spokes/reference-spoke-thread',
      {
        workerData: data,
        // A small young generation: the thread's garbage is small and short-lived (measured: the
        // desktop hub's process 10 MB smaller with 4 MB than with V8's default; bench/desktop.ts).
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      },
    );
    worker = thread;
    thread.on('message', (message: SpokeThreadMessage) => {
      if ('registered' in message) {
        registered.add(message.registered);
        // A thread that got its spokes registered again is healthy: the next death starts the backoff over.
        if (registered.size === options.names.length) restarts = 0;
        logger.info('spoke registered', {
          spoke: message.registered,
          service_id: message.serviceId,
          url: message.url,
        });
        notify();
      } else if ('failed' in message) {
        logger.error('spoke did not start', { spoke: message.failed, error: message.error });
      }
    });
    thread.on('error', (error) =>
      logger.error('spoke thread failed', { error: error.stack ?? String(error) }),
    );
    thread.on('exit', (code) => {
      if (worker === thread) worker = undefined;
      registered.clear();
      if (stopping) return;
      const delay = Math.min(30_000, 1000 * 2 ** restarts);
      restarts += 1;
      logger.error('spoke thread exited; restarting', { spokes: options.names, code, in_ms: delay });
      setTimeout(() => !stopping && launch(), delay).unref();
    });
  }

  launch();
  logger.info('reference spokes starting', { spokes: options.names });

  return {
    /**
     * Resolves when every spoke has registered, or after `withinMs` with the ones still missing
     * (the caller says which are late; they keep trying and arrive by list_changed).
     */
    registered(withinMs: number): Promise<{ late: ReferenceSpokeName[] }> {
      const late = () => ({ late: options.names.filter((name) => !registered.has(name)) });
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(late());
        };
        const check = () => {
          if (late().late.length === 0) done();
        };
        const timer = setTimeout(done, withinMs);
        waiters.add(check);
        check();
      });
    },
    /** The thread, for tests that need to see it die. */
    get thread(): Worker | undefined {
      return worker;
    },
    /** Deregisters the spokes (bounded), then ends the thread. */
    async close(): Promise<void> {
      stopping = true;
      const thread = worker;
      if (!thread) return;
      await Promise.race([
        new Promise<void>((resolve) => {
          thread.on('message', (message: SpokeThreadMessage) => 'stopped' in message && resolve());
          thread.once('exit', () => resolve());
          thread.postMessage({ stop: true });
        }),
        new Promise<void>((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
      await thread.terminate();
    },
  };
}

export type SpokeSupervisor = ReturnType<typeof startSpokeSupervisor>;
