// How logs look: JSON lines when stderr is not a terminal (as here) or with --log-format json, one
// coloured line per event with --log-format pretty (what a terminal gets by default); a child
// logger keeps its own component.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const run = (args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist/bin/fin-hub.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('log format', () => {
  it('writes JSON lines to a pipe and pretty coloured lines when asked', () => {
    const piped = run(['migrate', '--db', 'memory']);
    assert.equal(piped.status, 0, piped.stderr);
    const lines = piped.stderr.split('\n').filter(Boolean);
    assert.ok(lines.length > 0);
    for (const line of lines) assert.equal(JSON.parse(line).component, 'hub', line);

    const pretty = run(['migrate', '--db', 'memory', '--log-format', 'pretty']);
    assert.equal(pretty.status, 0, pretty.stderr);
    // Colours are ANSI escapes; shown as <ESC> to match them.
    const shown = pretty.stderr.replaceAll(String.fromCharCode(27), '<ESC>');
    assert.match(
      shown,
      /^<ESC>\[2m\d\d:\d\d:\d\d<ESC>\[0m <ESC>\[36mINFO <ESC>\[0m <ESC>\[2mhub +<ESC>\[0m migrations applied/m,
    );
    assert.throws(() => JSON.parse(pretty.stderr.split('\n')[0]!));
  });

  it('keeps a child logger’s component (winston’s defaultMeta used to overwrite it)', () => {
    const script = `import('${join(ROOT, 'dist/src/logger.js')}').then(({ createLogger }) =>
      createLogger({ level: 'info', format: 'json' }).child({ component: 'upstream' }).info('hello'))`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(JSON.parse(child.stderr.trim()).component, 'upstream', child.stderr);
  });
});
