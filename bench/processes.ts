import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const ROOT = new URL('..', import.meta.url).pathname;

/** Starts a child that prints one JSON line (its port) on stdout when ready. */
export async function startPrinting(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; info: { port: number } }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

/** Starts the built hub (`nodeArgs` before its script: Node's own flags, preloads) and waits for /health. */
export async function startHubProcess(
  port: number,
  dataDir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
) {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      `${ROOT}dist/bin/fin-hub.js`,
      '--port',
      String(port),
      '--db',
      dataDir,
      '--log-level',
      'error',
      ...extra,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await fetch(`${url}/health`).catch(() => undefined))?.ok) break;
    if (Date.now() > deadline) throw new Error('hub did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url };
}

export function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** CPU time of each thread of a process, from /proc (clock ticks of 10 ms): tid → [name, ticks, kernel ticks]. */
export function threadTimes(pid: number): Map<string, [string, number, number]> {
  const times = new Map<string, [string, number, number]>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    times.set(tid, [name, Number(fields[11]) + Number(fields[12]), Number(fields[12])]);
  }
  return times;
}

/** CPU time of every thread of a process together, in ms. */
export function cpuMs(pid: number): number {
  return [...threadTimes(pid).values()].reduce((sum, [, ticks]) => sum + ticks * 10, 0);
}
