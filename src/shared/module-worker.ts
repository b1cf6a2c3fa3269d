import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running one of fin-hub's own modules, given as `new URL('./x.js', import.meta.url)`
 * style: `base` is the caller's `import.meta.url`, `name` the module's file name without extension.
 * Under tsx (npm start, tests) the sources are .ts and a worker does not inherit tsx's loader, so a
 * small bootstrap registers it first; the built package runs the compiled .js directly.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const underTsx = base.endsWith('.ts');
  const source = new URL(`./${name}${underTsx ? '.ts' : '.js'}`, base);
  if (!underTsx) return new Worker(source, options);
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`,
    { ...options, eval: true },
  );
}
