import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

describe('loadConfig', () => {
  it('gives a loopback hub on port 8000 with no input', () => {
    const config = loadConfig({}, {});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8000);
    assert.equal(config.db, undefined);
    assert.equal(config.engine.instanceConcurrency, 10);
  });

  it('takes flags over environment over the config file', () => {
    const file = join(tmpdir(), `fin-hub-config-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ port: 7000, host: '127.0.0.2', logLevel: 'debug' }));
    const config = loadConfig(
      { config: file, port: '9000' },
      { FIN_HUB_PORT: '8500', FIN_HUB_HOST: '127.0.0.3' },
    );
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.3');
    assert.equal(config.logLevel, 'debug');
  });

  it('uses DATABASE_URL when --db is absent, and --db when both are given', () => {
    assert.equal(loadConfig({}, { DATABASE_URL: 'postgres://x@h/db' }).db, 'postgres://x@h/db');
    assert.equal(loadConfig({ db: 'memory' }, { DATABASE_URL: 'postgres://x@h/db' }).db, 'memory');
  });

  it('names the key, the value received and what was expected for an invalid value', () => {
    assert.throws(
      () => loadConfig({ port: 'eighty' }, {}),
      (error: unknown) =>
        error instanceof ConfigError && /port: received "eighty"; expected/.test(error.message),
    );
    assert.throws(
      () => loadConfig({}, { FIN_HUB_BALANCER: 'random' }),
      (error: unknown) =>
        error instanceof ConfigError && /engine\.balancer: received "random"/.test(error.message),
    );
    assert.throws(() => loadConfig({ port: '70000' }, {}), /port: received "70000"/);
  });

  it('parses API keys from the environment and rejects malformed ones', () => {
    const config = loadConfig(
      {},
      {
        FIN_HUB_API_KEYS:
          'spoke:0123456789abcdef0123:registry:write,agent:abcdefabcdefabcdef12:tools:call+registry:read',
      },
    );
    assert.equal(config.auth.keys.length, 2);
    assert.deepEqual(config.auth.keys[1]?.scopes, ['tools:call', 'registry:read']);
    assert.throws(() => loadConfig({}, { FIN_HUB_API_KEYS: 'short:abc:admin' }), ConfigError);
  });

  it('refuses an unreadable config file with its path', () => {
    assert.throws(
      () => loadConfig({ config: '/nonexistent/fin-hub.json' }, {}),
      /config file \/nonexistent\/fin-hub.json cannot be read/,
    );
  });
});
