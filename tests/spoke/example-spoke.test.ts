import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_DB } from '../helpers/test-database.js';
import { api, startTestHub } from '../helpers/test-hub.js';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe(`the example spoke outside src/ (examples/fx-spoke), on the ${TEST_DB} database`, () => {
  it('imports the kit from fin-hub/spoke, registers, answers through the hub and deregisters on SIGTERM', async (t) => {
    const hub = await startTestHub(t);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'examples/fx-spoke/fx-spoke.ts'), '--port', '0', '--hub-url', hub.url!],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.after(() => child.kill('SIGKILL'));
    await waitFor(
      () => hub.routing.getTool('fx_convert') !== undefined || child.exitCode !== null,
      'fx_convert',
    );
    assert.ok(hub.routing.getTool('fx_convert'), stderr);
    const res = await api(hub, 'POST', '/api/v1/tools/fx_convert/execute', {
      arguments: { amount: 100, pair: 'EURUSD' },
    });
    assert.equal(res.body.status, 'success', JSON.stringify(res.body));
    assert.equal(res.body.result.structuredContent.converted, 108);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(hub.routing.getTool('fx_convert'), undefined, 'deregistered before exiting');
  });
});
