// Part of `npm run build`: an initialised, empty PGlite data directory (dist/pglite-seed-<version>/),
// copied into a new data directory instead of running initdb (src/db/pglite-settings.ts says what
// that saves).
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS, pgliteSeedDir } from '../src/db/pglite-settings.js';

const target = pgliteSeedDir();
if (!existsSync(`${target}/PG_VERSION`)) {
  // Built beside, then moved: a build stopped half-way never leaves half a seed.
  const building = `${target}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const db = await PGlite.create(building, PGLITE_OPTIONS);
  await db.close();
  rmSync(target, { recursive: true, force: true });
  renameSync(building, target);
  process.stderr.write(`embedded database seed: ${target}\n`);
}
