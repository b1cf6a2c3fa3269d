// A stdio hub holds its main thread's young generation at its initial size (desktop memory, SPEC §10;
// src/shared/small-young-generation.ts). The probe runs as the `fin-hub` command does: bundled by
// esbuild and started by plain node — under tsx, the loader's own threads would reset V8's flag too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';

const MiB = 2 ** 20;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'young-generation-'));
  await build({
    entryPoints: [join(fixtures, 'young-generation-probe.ts'), join(fixtures, 'idle-thread.ts')],
    entryNames: '[name]',
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    define: { FIN_HUB_BUNDLE: 'true' },
    logLevel: 'warning',
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The main thread's new space after the probe started a worker thread and allocated. */
function newSpaceBytes(mode: 'small' | 'default'): number {
  return Number(
    execFileSync(process.execPath, [join(dir, 'young-generation-probe.js'), mode], { encoding: 'utf8' }),
  );
}

describe('a stdio hub keeps its young generation small', () => {
  it('stays at its initial size after a worker thread has started, where V8 would grow it', () => {
    const grown = newSpaceBytes('default');
    const small = newSpaceBytes('small');
    // The probe must make V8 grow the space, or the comparison says nothing.
    assert.ok(grown >= 8 * MiB, `without the setting the new space grows (${grown / MiB} MiB)`);
    // A worker's start resets the flag: it holds only because it is set again once the worker is online.
    assert.ok(small <= 4 * MiB, `with it, the new space stays small (${small / MiB} MiB)`);
  });
});
