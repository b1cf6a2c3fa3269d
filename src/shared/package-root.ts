import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of fin-hub's own package.json, found by walking up from this file, so that
 * `migrations/` is found both from `src/` (tsx) and from `dist/src/` (the installed package).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'fin-hub') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fin-hub package.json not found above ' + import.meta.url);
    dir = parent;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}
