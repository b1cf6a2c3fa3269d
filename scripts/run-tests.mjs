#!/usr/bin/env node
// Runs the whole suite on the embedded database, and again on PostgreSQL when TEST_DATABASE_URL is set.
// Node 20's --test takes paths, not globs, so the test files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' || name === 'fixtures' ? [] : walk(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
const files = only.length ? only : walk(join(root, 'tests')).sort();

// The end-to-end tests run the built CLI, as users get it from the package.
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

// A migrated-free template of the embedded database, made once; each test process copies it
// (about 1 s) instead of running initdb (5-8 s).
const prepare = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'tests/helpers/prepare-pglite-template.ts')],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
if (prepare.status !== 0) process.exit(prepare.status ?? 1);

// The slowest file takes about a minute on a loaded machine; ten is a hang.
const FILE_TIMEOUT_MS = 10 * 60_000;
const targets = [['embedded', {}]];
if (process.env.TEST_DATABASE_URL) targets.push(['postgres', { FIN_HUB_TEST_DB: 'postgres' }]);
let failed = false;
for (const [name, env] of targets) {
  // tests/postgres/ needs what only PostgreSQL has (several hubs on one database, SPEC §9).
  const targetFiles = name === 'postgres' ? files : files.filter((f) => !/(^|\/)tests\/postgres\//.test(f));
  process.stderr.write(`\n=== test suite on the ${name} database (${targetFiles.length} files) ===\n`);
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=3',
      // Per test file (each runs in its own process): a file that hangs — a test that never ends,
      // or a child process it leaked keeping it alive — fails by name instead of stalling the run.
      `--test-timeout=${FILE_TIMEOUT_MS}`,
      '--test-reporter=spec',
      ...targetFiles,
    ],
    { stdio: 'inherit', cwd: root, env: { ...process.env, FIN_HUB_TEST_DB: 'embedded', ...env } },
  );
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
