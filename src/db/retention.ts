import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import { isConnectionError } from './pg-errors.js';
import type { Database } from './tables.js';

export interface RetentionPolicy {
  /** Deregistered or expired services (with their tools) are deleted after this many days. */
  inactiveServiceDays: number;
  /** Execution history rows are deleted this many days after they started. */
  executionDays: number;
  /** Audit rows are deleted after this many days. */
  auditDays: number;
  /** Rows deleted per statement; the loop yields between statements. */
  batchSize: number;
  /** How often a pass runs, in ms. */
  intervalMs: number;
}

/** What one pass deleted. */
export interface RetentionPass {
  services: string[];
  executions: number;
  audit: number;
}

/**
 * Deletes what is past its age, in batches, off the call path: inactive services (their tools
 * follow by cascade), old execution history and old audit rows. Runs only where `isLeader` says
 * (one hub of several on PostgreSQL). The services it deletes are handed to `onServicesDeleted`
 * so that memory forgets them too.
 */
export function startRetention(options: {
  db: Kysely<Database>;
  policy: RetentionPolicy;
  logger: Logger;
  isLeader?: () => boolean;
  onServicesDeleted: (serviceIds: string[]) => void;
}) {
  const { db, policy, logger } = options;
  let running: Promise<RetentionPass> | undefined;

  const olderThan = (days: number) => sql<Date>`now() - make_interval(days => ${days})`;
  const yieldToCalls = () => new Promise((resolve) => setImmediate(resolve));

  async function purgeServices(): Promise<string[]> {
    const deleted: string[] = [];
    for (;;) {
      const rows = await db
        .deleteFrom('services')
        .where(
          'service_id',
          'in',
          db
            .selectFrom('services')
            .select('service_id')
            .where('is_active', '=', false)
            .where('updated_at', '<', olderThan(policy.inactiveServiceDays))
            .limit(policy.batchSize),
        )
        .returning('service_id')
        .execute();
      deleted.push(...rows.map((row) => row.service_id));
      if (rows.length < policy.batchSize) return deleted;
      await yieldToCalls();
    }
  }

  async function purge(table: 'tool_executions' | 'registry_audit', days: number): Promise<number> {
    const [key, column] = table === 'tool_executions' ? ['execution_id', 'started_at'] : ['audit_id', 'at'];
    let total = 0;
    for (;;) {
      const result = await sql`
        DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (
          SELECT ${sql.ref(key)} FROM ${sql.table(table)}
          WHERE ${sql.ref(column)} < ${olderThan(days)} LIMIT ${policy.batchSize})`.execute(db);
      const n = Number(result.numAffectedRows ?? 0);
      total += n;
      if (n < policy.batchSize) return total;
      await yieldToCalls();
    }
  }

  async function passOnce(): Promise<RetentionPass> {
    const services = await purgeServices();
    if (services.length > 0) options.onServicesDeleted(services);
    const executions = await purge('tool_executions', policy.executionDays);
    const audit = await purge('registry_audit', policy.auditDays);
    // Rate-limit counters whose window ended over an hour ago (a window is a minute; a returning
    // caller's expired row is reused, so only callers that went away leave rows behind).
    await db
      .deleteFrom('rate_limits')
      .where('expire', '<', String(Date.now() - 3_600_000))
      .execute();
    if (services.length || executions || audit) {
      logger.info('retention pass', { services: services.length, executions, audit });
    }
    return { services, executions, audit };
  }

  /** One pass now (never two at once); the leader check is the timer's, not this. */
  function runNow(): Promise<RetentionPass> {
    running ??= passOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    if (options.isLeader && !options.isLeader()) return;
    runNow().catch((error) => {
      if (isConnectionError(error)) logger.warn('retention pass skipped: database unavailable');
      else logger.error('retention pass failed', { error: String(error) });
    });
  }, policy.intervalMs);
  timer.unref();

  return {
    runNow,
    async close(): Promise<void> {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
