import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSpokeSupervisor } from '../../src/spoke/spoke-supervisor.js';
import { createCaptureLogger } from '../helpers/capture-logger.js';
import { waitFor } from '../helpers/wait-for.js';

const FIXTURE = '../../tests/fixtures/crashing-spoke-thread';

describe('the spoke supervisor (a hub’s --spokes on one thread)', () => {
  it('waits for the hub URL, reports every spoke registered, and restarts a thread that dies', async (t) => {
    const logger = createCaptureLogger();
    let listening: (url: string) => void = () => {};
    const supervisor = startSpokeSupervisor({
      names: ['market', 'risk'],
      hubUrl: new Promise<string>((resolve) => {
        listening = resolve;
      }),
      logger,
      instanceKey: 'test',
      threadModule: FIXTURE,
    });
    t.after(() => supervisor.close());
    const arrived = supervisor.registered(60_000);
    listening('http://127.0.0.1:1');
    assert.deepEqual(await arrived, { late: [] });

    const first = supervisor.thread!;
    first.postMessage({ crash: true });
    await waitFor(
      () => supervisor.thread !== undefined && supervisor.thread !== first,
      'a new thread',
      30_000,
    );
    assert.deepEqual(
      await supervisor.registered(60_000),
      { late: [] },
      'the new thread registered them again',
    );
    assert.ok(
      logger.lines.some((line) => line.includes('spoke thread exited; restarting')),
      logger.lines.join('\n'),
    );
  });

  it('gives up waiting after the bound and names the spokes that are late', async (t) => {
    // The thread copies the environment when it starts.
    process.env.FIXTURE_UNREGISTERED = 'risk';
    t.after(() => delete process.env.FIXTURE_UNREGISTERED);
    const logger = createCaptureLogger();
    const supervisor = startSpokeSupervisor({
      names: ['market', 'risk', 'portfolio'],
      hubUrl: 'http://127.0.0.1:1',
      logger,
      instanceKey: 'test',
      threadModule: FIXTURE,
    });
    t.after(() => supervisor.close());
    // Once the others are in (whenever the thread gets to it), the bound decides for the missing one.
    await waitFor(
      () => logger.lines.filter((line) => line.includes('"spoke registered"')).length >= 2,
      'market and portfolio to register',
      30_000,
    );
    assert.deepEqual(await supervisor.registered(300), { late: ['risk'] });
  });
});
