import { basename } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { keepYoungGenerationSmallAfter } from './small-young-generation.js';

/** Set to true by the bundled build (scripts/build-bundle.ts); absent in the sources and in tsc's output. */
declare const FIN_HUB_BUNDLE: boolean | undefined;

/**
 * A worker thread running one of fin-hub's own modules, given as `new URL('./x.js', import.meta.url)`
 * style: `base` is the caller's `import.meta.url`, `name` the module's path without extension.
 * Under tsx (npm start, tests) the sources are .ts and a worker does not inherit tsx's loader, so a
 * small bootstrap registers it first; tsc's output runs the compiled .js directly; in the bundled
 * `fin-hub` command every worker's own bundle sits beside the command's, named by its file name.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const worker = newModuleWorker(base, name, options);
  keepYoungGenerationSmallAfter(worker);
  return worker;
}

function newModuleWorker(base: string, name: string, options: WorkerOptions): Worker {
  if (typeof FIN_HUB_BUNDLE !== 'undefined')
    return new Worker(new URL(`./${basename(name)}.js`, base), options);
  const underTsx = base.endsWith('.ts');
  const source = new URL(`./${name}${underTsx ? '.ts' : '.js'}`, base);
  if (!underTsx) return new Worker(source, options);
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`,
    { ...options, eval: true },
  );
}
