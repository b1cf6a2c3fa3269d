import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * Reads `NNNN_name.up.sql` / `NNNN_name.down.sql` pairs from a folder and hands them to Kysely's
 * Migrator. The files are plain SQL, so the same migrations run on PostgreSQL and the embedded PGlite.
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => f.endsWith('.up.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const name = file.slice(0, -'.up.sql'.length);
      const up = await readFile(join(this.folder, file), 'utf8');
      const down = await readFile(join(this.folder, `${name}.down.sql`), 'utf8').catch(() => undefined);
      migrations[name] = {
        up: (db: Kysely<unknown>) => runScript(db, up),
        down: down === undefined ? undefined : (db: Kysely<unknown>) => runScript(db, down),
      };
    }
    return migrations;
  }
}

async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  // Statements are separated by semicolons at the end of a line; the files contain no functions.
  for (const statement of script.split(/;\s*$/m)) {
    const text = statement.replace(/^\s*--.*$/gm, '').trim();
    if (text) await sql.raw(text).execute(db);
  }
}
