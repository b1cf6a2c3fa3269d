import { type Kysely, type Selectable, sql } from 'kysely';
import { isConnectionError } from '../db/pg-errors.js';
import type { Database, ToolExecutionsTable } from '../db/tables.js';
import type { Page, ToolStatsRow } from '../registry/registry-directory.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import { unstorablePlaceholder } from '../shared/json-limits.js';
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

/** What one history batch did: the tools' statistics now, and the rows that could not be stored at all. */
export interface InsertedBatch {
  stats: ToolStatsRow[];
  setAside: { record: ExecutionRecord; reason: string }[];
}

/** Queries of `tool_executions`. */
export function createExecutionRepository(db: Kysely<Database>) {
  /**
   * One statement: the rows go in from one JSON parameter whatever the batch size (a multi-row
   * VALUES list cost the hub a query build and a parameter per cell: about 0.6 ms of event-loop
   * time per call at 500 calls/s, measured), and the tools' statistics grow by what the INSERT
   * returned, so a retried batch's rows are neither inserted nor counted twice. Returns the
   * statistics as they now stand, for the in-memory registry.
   */
  async function insertRows(records: ExecutionRecord[]): Promise<ToolStatsRow[]> {
    const { rows } = await sql<ToolStatsRow>`
      WITH inserted AS (
        INSERT INTO tool_executions
        SELECT * FROM jsonb_populate_recordset(NULL::tool_executions, ${rowsAsJson(records)}::jsonb)
        ON CONFLICT (execution_id) DO NOTHING
        RETURNING service_id, tool_id, status, duration_ms, started_at
      ), deltas AS (
        SELECT service_id, tool_id,
               count(*) AS total,
               count(*) FILTER (WHERE status = 'success') AS successful,
               coalesce(sum(duration_ms), 0) AS duration_sum,
               max(started_at) AS last_started
        FROM inserted
        WHERE service_id IS NOT NULL AND status <> 'rejected'
        GROUP BY service_id, tool_id
      )
      UPDATE tools SET
        average_duration_ms = (tools.average_duration_ms * tools.total_executions + deltas.duration_sum)
                              / (tools.total_executions + deltas.total),
        total_executions = tools.total_executions + deltas.total,
        successful_executions = tools.successful_executions + deltas.successful,
        last_executed = greatest(tools.last_executed, deltas.last_started)
      FROM deltas
      WHERE tools.service_id = deltas.service_id AND tools.name = deltas.tool_id
      RETURNING tools.service_id, tools.name, tools.total_executions, tools.successful_executions,
                tools.average_duration_ms, tools.last_executed
    `.execute(db);
    return rows;
  }

  return {
    /**
     * Inserts a batch of finished executions and adds their statistics to the tools, atomically;
     * returns the statistics of the tools it touched.
     */
    async insertBatch(records: ExecutionRecord[]): Promise<InsertedBatch> {
      if (records.length === 0) return { stats: [], setAside: [] };
      try {
        return { stats: await insertRows(records), setAside: [] };
      } catch (error) {
        // An outage: the writer keeps the batch and retries. Anything else is about the rows
        // themselves (a value PostgreSQL cannot store: SQLSTATE class 22, a lone surrogate; jsonb
        // nested past its stack, 54001) and would fail at every retry: rows go one by one, a
        // failing row keeps everything but its payloads, and a row that fails even so is set aside
        // with its reason, so that no record can block the history for good.
        if (isConnectionError(error)) throw error;
        const stats: ToolStatsRow[] = [];
        const setAside: InsertedBatch['setAside'] = [];
        for (const record of records) {
          try {
            stats.push(...(await insertRows([record])));
          } catch (rowError) {
            if (isConnectionError(rowError)) throw rowError;
            const unstorable = unstorablePlaceholder(describeDatabaseError(rowError));
            try {
              stats.push(...(await insertRows([{ ...record, arguments: unstorable, result: undefined }])));
            } catch (again) {
              if (isConnectionError(again)) throw again;
              setAside.push({ record, reason: describeDatabaseError(again) });
            }
          }
        }
        return { stats, setAside };
      }
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

function describeDatabaseError(error: unknown): string {
  const { message, detail, code } = (error ?? {}) as { message?: string; detail?: string; code?: string };
  return [code && `SQLSTATE ${code}`, message ?? String(error), detail].filter(Boolean).join(': ');
}

/**
 * The batch as one JSON array of rows named like the table's columns, each row serialised on its
 * own so that one value JSON cannot hold (a cycle, a BigInt, nesting past the stack) costs that row
 * its payload, not the batch. PostgreSQL's jsonb cannot hold U+0000, which JSON allows inside
 * strings: it becomes U+FFFD, or the whole batch would be refused again at every retry.
 */
function rowsAsJson(records: ExecutionRecord[]): string {
  const rows = records.map((record) => {
    const row = {
      execution_id: record.execution_id,
      correlation_id: record.correlation_id,
      tool_id: record.tool_id,
      service_id: record.service_id,
      service_name: record.service_name,
      input_data: record.arguments,
      output_data: record.result ?? null,
      error_data: record.error,
      status: record.status,
      attempts: record.attempts,
      started_at: record.started_at,
      completed_at: record.completed_at,
      duration_ms: record.duration_ms,
      user_agent: record.user_agent,
      ip_address: record.ip_address,
    };
    try {
      return JSON.stringify(row);
    } catch (error) {
      const reason = unstorablePlaceholder(`not serialisable: ${(error as Error).message}`);
      return JSON.stringify({
        ...row,
        input_data: reason,
        output_data: null,
        error_data: row.error_data && reason,
      });
    }
  });
  const json = `[${rows.join(',')}]`;
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
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
