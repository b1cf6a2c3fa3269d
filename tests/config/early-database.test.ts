import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { earlyStdioDataDir } from '../../src/config/early-database.js';

describe('the database a stdio start opens before its configuration loads', () => {
  const home = { FIN_HUB_HOME: '/tmp/fin-hub-home' };

  it('is the default directory for a stdio start that names no database', () => {
    assert.equal(earlyStdioDataDir(['--stdio', '--spokes', 'market'], home), '/tmp/fin-hub-home/data');
    assert.equal(earlyStdioDataDir(['serve', '--stdio'], home), '/tmp/fin-hub-home/data');
  });

  it('is undecided whenever anything could name another database or another command runs', () => {
    for (const argv of [
      ['--spokes', 'market'],
      ['--stdio', '--db', 'memory'],
      ['--stdio', '--db=/elsewhere'],
      ['--stdio', '--config', 'hub.json'],
      ['--stdio', '--help'],
      ['--stdio', '-v'],
      ['migrate', '--stdio'],
      ['spoke', 'market', '--stdio'],
    ])
      assert.equal(earlyStdioDataDir(argv, home), undefined, argv.join(' '));
    for (const variable of ['FIN_HUB_DB', 'DATABASE_URL', 'FIN_HUB_CONFIG'])
      assert.equal(earlyStdioDataDir(['--stdio'], { ...home, [variable]: 'x' }), undefined, variable);
  });
});
