// The CLI's answers to bad input, as a table: each gets one line saying what was wrong and what to
// do, on stderr, and its documented exit code (README: exit codes) — never a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'fin-hub-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const misspelt = join(scratch, 'misspelt.json');
writeFileSync(misspelt, JSON.stringify({ prot: 8000, logLevel: 'info' }));
const userFiles = join(scratch, 'documents');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
// A port someone else holds (the OS refuses a second bind even while spawnSync blocks this loop).
const busy = createServer();
await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
after(() => busy.close());
const busyPort = (busy.address() as AddressInfo).port;

interface Case {
  args: string[];
  code: number;
  /** Matched against stderr (or stdout for --help / --version). */
  says: RegExp;
  stream?: 'stdout' | 'stderr';
  prepare?: () => void;
}

const CASES: Case[] = [
  {
    args: ['--spokes', 'market,foo'],
    code: 2,
    says: /spokes\.1: received "foo" in "market,foo"; expected one of "market"\|"risk"\|"portfolio"/,
  },
  {
    args: ['--config', misspelt],
    code: 2,
    says: /unknown key "prot" \(a misspelt key would be ignored; docs\/configuration\.md lists every key\)/,
  },
  {
    args: ['--config', join(scratch, 'absent.json')],
    code: 2,
    says: /config file .*absent\.json cannot be read/,
  },
  { args: ['--bogus'], code: 2, says: /Unknown option '--bogus'/ },
  { args: ['frobnicate'], code: 2, says: /unknown command frobnicate/ },
  {
    args: ['--no-http', '--stdio', '--spokes', 'market'],
    code: 2,
    says: /--spokes needs the HTTP API .*drop --no-http/,
  },
  { args: ['--port', '70000'], code: 2, says: /port: received "70000"/ },
  {
    args: ['--port', String(busyPort), '--db', 'memory'],
    code: 1,
    says: new RegExp(`^fin-hub: port ${busyPort} on 127\\.0\\.0\\.1 is in use .*choose another with --port$`),
  },
  {
    args: ['--host', '0.0.0.0'],
    code: 2,
    says: /^fin-hub: the hub listens on 0\.0\.0\.0, beyond loopback, and no API keys are configured: set FIN_HUB_API_KEYS/,
  },
  {
    args: ['migrate', '--db', 'postgres://postgres@127.0.0.1:1/none'],
    code: 1,
    says: /^fin-hub migrate: the database could not be reached or read \(.*ECONNREFUSED.*\); check --db \/ DATABASE_URL/,
  },
  { args: ['spoke', 'foo'], code: 2, says: /unknown spoke "foo"/ },
  {
    args: ['spoke', 'market', '--port', 'x'],
    code: 2,
    says: /--port: received "x"; expected an integer 0-65535/,
  },
  { args: ['spoke', '--help'], code: 0, says: /^usage: fin-hub spoke </, stream: 'stdout' },
  { args: ['spoke', 'market', '-h'], code: 0, says: /^usage: fin-hub spoke </, stream: 'stdout' },
  {
    args: ['spoke', '--version'],
    code: 0,
    says: new RegExp(`^${version.replaceAll('.', '\\.')}$`),
    stream: 'stdout',
  },
  { args: ['--help'], code: 0, says: /^fin-hub — an MCP hub/, stream: 'stdout' },
  { args: ['-h'], code: 0, says: /^fin-hub — an MCP hub/, stream: 'stdout' },
  { args: ['--version'], code: 0, says: new RegExp(`^${version.replaceAll('.', '\\.')}$`), stream: 'stdout' },
  {
    // A place that cannot be written (here a file stands where a directory is needed; a read-only
    // file system is answered the same way, checked by hand with a read-only bind mount).
    args: ['--db', join(misspelt, 'data'), '--port', '0'],
    code: 1,
    says: /did not start: .*(ENOTDIR|EEXIST|not a directory).*; give --db \(or FIN_HUB_HOME\) a directory this user can write/,
  },
  {
    args: ['--db', userFiles, '--port', '0'],
    code: 1,
    says: /is not empty and holds no fin-hub database \(found notes\.txt\); give --db a new or empty directory/,
    prepare: () => {
      mkdirSync(userFiles, { recursive: true });
      writeFileSync(join(userFiles, 'notes.txt'), 'mine');
    },
  },
];

describe('the CLI on bad input: one line, the documented exit code', () => {
  for (const c of CASES) {
    it(`fin-hub ${c.args.join(' ')} → ${c.code}`, () => {
      c.prepare?.();
      const run = spawnSync(process.execPath, [join(ROOT, 'dist/bin/fin-hub.js'), ...c.args], {
        encoding: 'utf8',
        env: { ...process.env, FIN_HUB_HOME: scratch },
        timeout: 60_000,
      });
      const out = c.stream === 'stdout' ? run.stdout : run.stderr;
      assert.equal(run.status, c.code, `exit code; stderr: ${run.stderr}`);
      assert.match(out.trim(), c.says);
      assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    });
  }
});
