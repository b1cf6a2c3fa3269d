import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, ToolExecutionsTable } from '../db/tables.js';
import type { Page, ToolStatsDelta } from '../registry/registry-repository.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import type { ExecutionRecord, ExecutionStatus } from './execution-record.js';

export interface ExecutionFilter {
  tool?: string;
  service?: string;
  status?: ExecutionStatus;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/** Queries of `tool_executions`. */
export function createExecutionRepository(db: Kysely<Database>) {
  return {
    /**
     * Inserts a batch of finished executions and adds their statistics to the tools, in one
     * transaction. Rows already present (a retried batch) are skipped and not counted twice.
     */
    async insertBatch(records: ExecutionRecord[]): Promise<void> {
      if (records.length === 0) return;
      await db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('tool_executions')
          .values(records.map(toRow))
          .onConflict((oc) => oc.column('execution_id').doNothing())
          .returning('execution_id')
          .execute();
        const insertedIds = new Set(inserted.map((r) => r.execution_id));
        const deltas = new Map<string, ToolStatsDelta>();
        for (const record of records) {
          if (!insertedIds.has(record.execution_id) || !record.service_id || record.status === 'rejected')
            continue;
          const key = `${record.service_id}\u0000${record.tool_id}`;
          const delta = deltas.get(key) ?? {
            service_id: record.service_id,
            name: record.tool_id,
            total: 0,
            successful: 0,
            durationSumMs: 0,
            lastExecuted: record.started_at,
          };
          delta.total++;
          if (record.status === 'success') delta.successful++;
          delta.durationSumMs += record.duration_ms ?? 0;
          if (record.started_at > delta.lastExecuted) delta.lastExecuted = record.started_at;
          deltas.set(key, delta);
        }
        for (const d of deltas.values()) {
          await tx
            .updateTable('tools')
            .set({
              average_duration_ms: sql`(average_duration_ms * total_executions + ${d.durationSumMs}) / (total_executions + ${d.total})`,
              total_executions: sql`total_executions + ${d.total}`,
              successful_executions: sql`successful_executions + ${d.successful}`,
              last_executed: sql`greatest(last_executed, ${d.lastExecuted.toISOString()}::timestamptz)`,
            })
            .where('service_id', '=', d.service_id)
            .where('name', '=', d.name)
            .execute();
        }
      });
    },

    async get(executionId: string): Promise<ExecutionRecord | undefined> {
      const row = await db
        .selectFrom('tool_executions')
        .selectAll()
        .where('execution_id', '=', executionId)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    /** Newest first, keyset on (started_at, execution_id). */
    async list(filter: ExecutionFilter): Promise<Page<ExecutionRecord>> {
      let query = db
        .selectFrom('tool_executions')
        .selectAll()
        .orderBy('started_at', 'desc')
        .orderBy('execution_id', 'desc')
        .limit(filter.limit + 1);
      if (filter.tool) query = query.where('tool_id', '=', filter.tool);
      if (filter.service) {
        const service = filter.service;
        query = query.where((eb) =>
          eb.or([eb('service_id', '=', service), eb('service_name', '=', service)]),
        );
      }
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.since) query = query.where('started_at', '>=', new Date(filter.since));
      if (filter.until) query = query.where('started_at', '<', new Date(filter.until));
      if (filter.cursor) {
        const [startedAtText, id] = decodeCursor(filter.cursor, 2) as [string, string];
        const startedAt = new Date(startedAtText);
        query = query.where((eb) =>
          eb.or([
            eb('started_at', '<', startedAt),
            eb.and([eb('started_at', '=', startedAt), eb('execution_id', '<', id)]),
          ]),
        );
      }
      const rows = await query.execute();
      const items = rows.slice(0, filter.limit).map(fromRow);
      const last = items[items.length - 1];
      return {
        items,
        next_cursor:
          rows.length > filter.limit && last
            ? encodeCursor([last.started_at.toISOString(), last.execution_id])
            : null,
      };
    },

    async count(): Promise<number> {
      const { n } = await db
        .selectFrom('tool_executions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}

export type ExecutionRepository = ReturnType<typeof createExecutionRepository>;

function toRow(record: ExecutionRecord) {
  return {
    execution_id: record.execution_id,
    correlation_id: record.correlation_id,
    tool_id: record.tool_id,
    service_id: record.service_id,
    service_name: record.service_name,
    input_data: JSON.stringify(record.arguments),
    output_data: record.result === undefined ? null : JSON.stringify(record.result),
    error_data: record.error === null ? null : JSON.stringify(record.error),
    status: record.status,
    attempts: record.attempts,
    started_at: record.started_at,
    completed_at: record.completed_at,
    duration_ms: record.duration_ms,
    user_agent: record.user_agent,
    ip_address: record.ip_address,
  };
}

function fromRow(row: Selectable<ToolExecutionsTable>): ExecutionRecord {
  return {
    execution_id: row.execution_id,
    correlation_id: row.correlation_id,
    tool_id: row.tool_id,
    service_id: row.service_id,
    service_name: row.service_name,
    status: row.status,
    arguments: (row.input_data ?? {}) as Record<string, unknown>,
    ...(row.output_data ? { result: row.output_data as ExecutionRecord['result'] } : {}),
    error: (row.error_data as ExecutionRecord['error']) ?? null,
    attempts: row.attempts,
    started_at: row.started_at,
    completed_at: row.completed_at,
    duration_ms: row.duration_ms,
    user_agent: row.user_agent,
    ip_address: row.ip_address,
  };
}
