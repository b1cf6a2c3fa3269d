// The lock on an embedded data directory (src/db/data-dir-lock.ts), taken by several processes at
// the same moment: two desktop clients starting `fin-hub --stdio` together, or hubs racing for a
// lock a killed hub left. Exactly one may hold it; two holders write one PGlite directory and lose
// data. Real processes, because the race is between processes.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { lockDataDir, takeoverLockPath } from '../../src/db/data-dir-lock.js';

const TAKER = new URL('../fixtures/lock-taker.ts', import.meta.url).pathname;
const TAKERS = 4;

interface Taker {
  child: ChildProcessWithoutNullStreams;
  /** Sends one command and resolves with its one-line answer. */
  ask(command: string): Promise<string>;
}

async function startTaker(): Promise<Taker> {
  const child = spawn(process.execPath, ['--import', 'tsx', TAKER], { stdio: 'pipe' });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the lock taker exited');
    return value as string;
  };
  assert.equal(await next(), 'ready');
  return {
    child,
    ask(command) {
      child.stdin.write(`${command}\n`);
      return next();
    },
  };
}

/** A pid no process has: one that has just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the embedded data directory lock, taken by several processes at once', () => {
  const home = mkdtempSync(join(tmpdir(), 'fin-hub-lock-'));
  let takers: Taker[] = [];
  before(async () => {
    takers = await Promise.all(Array.from({ length: TAKERS }, startTaker));
  });
  after(() => {
    for (const taker of takers) taker.child.kill();
    rmSync(home, { recursive: true, force: true });
  });

  /** Every taker asks for the lock at once; returns the answers. */
  async function race(dir: string): Promise<string[]> {
    const answers = await Promise.all(takers.map((taker) => taker.ask(`lock ${dir}`)));
    for (const answer of answers) assert.match(answer, /^(held|refused)$/);
    return answers;
  }

  async function releaseAll() {
    await Promise.all(takers.map((taker) => taker.ask('release')));
  }

  it('lets exactly one of them hold a free directory, round after round', async () => {
    for (let round = 0; round < 25; round++) {
      const dir = join(home, `free-${round}`);
      const answers = await race(dir);
      assert.equal(answers.filter((a) => a === 'held').length, 1, `round ${round}: ${answers.join(' ')}`);
      const holder = takers[answers.indexOf('held')];
      assert.equal(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid, holder?.child.pid);
      await releaseAll();
      assert.equal(existsSync(`${dir}.lock`), false, 'the holder removes its lock on release');
    }
  });

  it('lets exactly one of them take over a lock left by a process that died', async () => {
    for (let round = 0; round < 25; round++) {
      const dir = join(home, `stale-${round}`);
      const stale = JSON.stringify({ pid: await deadPid(), since: 'before it was killed' });
      writeFileSync(`${dir}.lock`, stale);
      const answers = await race(dir);
      assert.equal(answers.filter((a) => a === 'held').length, 1, `round ${round}: ${answers.join(' ')}`);
      assert.equal(
        existsSync(takeoverLockPath(`${dir}.lock`, stale)),
        false,
        'the takeover lock is gone after the takeover',
      );
      await releaseAll();
    }
  });

  it('clears a takeover lock left by a process killed in the middle of a takeover, and one of them holds', async () => {
    for (let round = 0; round < 25; round++) {
      const dir = join(home, `stale-takeover-${round}`);
      const stale = JSON.stringify({ pid: await deadPid(), since: 'before it was killed' });
      writeFileSync(`${dir}.lock`, stale);
      const guard = takeoverLockPath(`${dir}.lock`, stale);
      writeFileSync(guard, JSON.stringify({ pid: await deadPid(), since: 'killed mid-takeover' }));
      const answers = await race(dir);
      assert.equal(answers.filter((a) => a === 'held').length, 1, `round ${round}: ${answers.join(' ')}`);
      assert.equal(existsSync(guard), false, 'the dead takeover lock is gone');
      await releaseAll();
    }
  });

  it('keeps what describe() adds readable whole, and release leaves a lock it no longer holds', async () => {
    const dir = join(home, 'described');
    const lock = lockDataDir(dir);
    lock.describe({ url: 'http://127.0.0.1:1234' });
    const held = JSON.parse(readFileSync(lock.path, 'utf8'));
    assert.equal(held.pid, process.pid);
    assert.equal(held.url, 'http://127.0.0.1:1234');
    assert.equal(await takers[0]!.ask(`lock ${dir}`), 'refused', 'a described lock is still held');
    // Another process's lock at the same path (ours was taken over): release must not remove it.
    writeFileSync(lock.path, JSON.stringify({ pid: takers[1]!.child.pid, since: 'now' }));
    lock.release();
    assert.equal(existsSync(lock.path), true);
  });
});
