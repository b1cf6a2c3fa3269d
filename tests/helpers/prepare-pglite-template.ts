import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { TEMPLATE_DIR } from './test-database.js';

// initdb once into a temporary folder, then move it in place, so a crash never leaves half a template.
if (!existsSync(`${TEMPLATE_DIR}/PG_VERSION`)) {
  const building = `${TEMPLATE_DIR}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const db = await PGlite.create(building);
  await db.close();
  rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  renameSync(building, TEMPLATE_DIR);
  process.stderr.write(`embedded database template ready in ${TEMPLATE_DIR}\n`);
}
