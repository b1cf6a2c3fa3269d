import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../logger.js';

/**
 * Runs reference spokes as child processes of the hub (`fin-hub spoke <name>`), restarts one that
 * dies (with backoff), and stops them all together. The children register over real HTTP.
 */
export async function startSpokeSupervisor(options: {
  names: string[];
  hubUrl: string;
  logger: Logger;
  ports?: Record<string, number>;
}) {
  const { logger } = options;
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  // Re-run this same entry point (tsx in a checkout, node on the built package).
  const entry = process.argv[1]!;

  function launch(name: string, restarts: number): void {
    const args = [...process.execArgv, entry, 'spoke', name, '--hub-url', options.hubUrl];
    const port = options.ports?.[name];
    if (port !== undefined) args.push('--port', String(port));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      const delay = Math.min(30_000, 1000 * 2 ** restarts);
      logger.error('spoke exited; restarting', { spoke: name, code, signal, in_ms: delay });
      setTimeout(() => !stopping && launch(name, restarts + 1), delay).unref();
    });
  }

  for (const name of options.names) launch(name, 0);
  logger.info('reference spokes started', { spokes: options.names });

  return {
    pids(): Record<string, number | undefined> {
      return Object.fromEntries([...children].map(([n, c]) => [n, c.pid]));
    },
    async close(): Promise<void> {
      stopping = true;
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const force = setTimeout(() => child.kill('SIGKILL'), 5000);
              child.once('exit', () => {
                clearTimeout(force);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

export type SpokeSupervisor = Awaited<ReturnType<typeof startSpokeSupervisor>>;
