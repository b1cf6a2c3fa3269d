import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGliteOptions } from '@electric-sql/pglite';
import { packageRoot } from '../shared/package-root.js';

/**
 * How fin-hub opens PGlite. The defaults are sized for a database server; a hub's registry and
 * history need far less (measured in a bare Node script, warm open: 309 MB RSS with PGlite's
 * defaults, 155 MB with these; see README's decisions).
 * - `initialMemory` 128 MiB is the smallest the WebAssembly build accepts (it grows when needed).
 * - PostgreSQL's buffers shrink to what one process with a handful of tables uses.
 */
export const PGLITE_OPTIONS = {
  initialMemory: 128 * 2 ** 20,
  postgresqlconf: [
    'shared_buffers = 16MB',
    'work_mem = 2MB',
    'maintenance_work_mem = 8MB',
    'temp_buffers = 2MB',
    'wal_buffers = 512kB',
  ],
} satisfies PGliteOptions;

/**
 * Where `npm run build` leaves an initialised, empty data directory (scripts/build-pglite-seed.ts).
 * The name carries PGlite's version: a seed made by another version is never used. (package.json
 * pins PGlite exactly for this: with a range, an install resolved a newer patch release than the
 * packed seed's and every first run fell back to initdb — measured 3.2 s instead of 1 s.)
 */
export function pgliteSeedDir(): string {
  return join(packageRoot(), 'dist', `pglite-seed-${pgliteVersion()}`);
}

function pgliteVersion(): string {
  // The package exports no package.json: walk up from its entry point.
  let dir = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

/**
 * Makes a new data directory a copy of the seed, so that PGlite opens it as an existing database
 * instead of running initdb. initdb costs ~2 s and ~450 MB of memory the process never gives back;
 * PGlite's own `loadDataDir` (a tarball unpacked through its virtual file system) still cost
 * ~85 MB more than a warm open (bare Node script, first run: 574 MB with initdb, 205 MB with
 * `loadDataDir`, 120 MB from a copied seed). Without a seed (a checkout not built yet) initdb runs.
 * A directory holding something that is not a database is refused: fin-hub never writes a
 * database among someone's files.
 */
export function seedDataDir(dataDir: string, seedDir: string): void {
  const version = (dir: string) => readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  if (existsSync(join(dataDir, 'PG_VERSION'))) {
    // Another PostgreSQL major cannot open it (PGlite would fail deep in its start-up).
    const ours = existsSync(join(seedDir, 'PG_VERSION')) ? version(seedDir) : undefined;
    if (ours && version(dataDir) !== ours)
      throw new Error(
        `${dataDir} was written by PostgreSQL ${version(dataDir)} and this fin-hub embeds PostgreSQL ${ours}; ` +
          'start the fin-hub release that wrote it, or give --db a new directory (nothing was changed)',
      );
    return;
  }
  const present = readdirSync(dataDir);
  if (present.length > 0)
    throw new Error(
      `${dataDir} is not empty and holds no fin-hub database (found ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); ` +
        'give --db a new or empty directory',
    );
  if (existsSync(join(seedDir, 'PG_VERSION'))) cpSync(seedDir, dataDir, { recursive: true });
}
