import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED_TABLES, withCurrentTable } from '../../scripts/config-docs.js';
import { CONFIG_KEYS } from '../../src/config/config-keys.js';
import { loadConfig } from '../../src/config/load-config.js';

const root = new URL('../..', import.meta.url).pathname;

describe('configuration declared once', () => {
  for (const { file, which } of GENERATED_TABLES) {
    it(`${file}'s table matches the schema (run npm run docs:config when this fails)`, () => {
      const text = readFileSync(`${root}${file}`, 'utf8');
      assert.equal(text, withCurrentTable(text, which));
    });
  }

  it('reads every declared environment variable and flag into its key', () => {
    for (const key of CONFIG_KEYS) {
      if (!key.env && !key.flag) continue;
      // A value the key's schema accepts and that differs from the default.
      const sample = key.boolean
        ? 'true'
        : /Seconds|Ms|Bytes|Threshold|Attempts|Concurrency|Pending|PerMinute|Instances|port/i.test(
              key.path.at(-1)!,
            )
          ? '7'
          : undefined;
      if (sample === undefined) continue;
      const read = (config: unknown) =>
        key.path.reduce((node, part) => (node as Record<string, unknown>)[part], config);
      if (key.env) assert.equal(String(read(loadConfig({}, { [key.env]: sample }))), sample, key.env);
      if (key.flag)
        assert.equal(String(read(loadConfig({ [key.flag]: sample }, {}))), sample, `--${key.flag}`);
    }
    assert.equal(loadConfig({ 'no-http': true }, {}).http, false);
    assert.equal(loadConfig({}, { DATABASE_URL: 'postgres://x@127.0.0.1/y' }).db, 'postgres://x@127.0.0.1/y');
    assert.equal(loadConfig({}, { DATABASE_URL: 'postgres://a', FIN_HUB_DB: 'memory' }).db, 'memory');
  });
});
