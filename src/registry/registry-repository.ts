import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, ServicesTable, ToolsTable } from '../db/tables.js';
import { HubError } from '../errors.js';
import type { ServiceRecord, ToolRecord } from './registry-types.js';

/** A registration after defaults are applied: what the repository writes. */
export type ServiceWrite = Pick<
  ServiceRecord,
  | 'service_id'
  | 'service_name'
  | 'address'
  | 'port'
  | 'mcp_url'
  | 'version'
  | 'tags'
  | 'meta'
  | 'tool_prefix'
  | 'health_check_url'
  | 'health_check_interval'
  | 'weight'
  | 'ttl_seconds'
  | 'tools_discovered'
  | 'upstream_headers_sealed'
  | 'namespace'
> & { shared_session: boolean; tools: ToolWrite[] };

/** One tool of a registration, without the statistics the hub keeps. */
export type ToolWrite = Pick<
  ToolRecord,
  | 'name'
  | 'upstream_name'
  | 'description'
  | 'category'
  | 'version'
  | 'tags'
  | 'input_schema'
  | 'output_schema'
  | 'annotations'
  | 'timeout_seconds'
  | 'retry_attempts'
>;

// One key for every registration transaction: serialises the tool-name conflict check.
const REGISTRATION_LOCK = 727_274_001;

/** What `rehearseRegistration` writes and rolls back: an instance shaped like a spoke's. */
const REHEARSAL: ServiceWrite = {
  service_id: 'fin-hub-rehearsal',
  service_name: 'fin-hub-rehearsal',
  address: '127.0.0.1',
  port: 1,
  mcp_url: null,
  version: null,
  tags: [],
  meta: {},
  tool_prefix: null,
  health_check_url: null,
  health_check_interval: 30,
  weight: 1,
  ttl_seconds: 30,
  tools_discovered: false,
  upstream_headers_sealed: null,
  namespace: null,
  shared_session: true,
  tools: ['a', 'b'].map((name) => ({
    name: `fin_hub_rehearsal_${name}`,
    upstream_name: name,
    description: '',
    category: null,
    version: null,
    tags: [],
    input_schema: { type: 'object', properties: { x: { type: 'string' } } },
    output_schema: null,
    annotations: null,
    timeout_seconds: null,
    retry_attempts: null,
  })),
};

/** Queries only: every read and write of `services` and `tools`. */
export function createRegistryRepository(db: Kysely<Database>) {
  return {
    /**
     * Upserts an instance and replaces its tools in one transaction. Throws 409 when a tool name
     * belongs to another active service_name, 429 when the registry is full.
     */
    upsertService(
      write: ServiceWrite,
      maxInstances: number,
      actor: Actor,
    ): Promise<{ service: ServiceRecord; tools: ToolRecord[]; created: boolean }> {
      return db.transaction().execute((tx) => upsertIn(tx, write, maxInstances, actor));
    },

    /**
     * Runs a registration of a made-up instance and rolls it back, leaving nothing. For a hub about
     * to register its own spokes on a freshly opened embedded database: PostgreSQL's caches and
     * the WebAssembly of every statement a registration runs are cold there (V8 compiles PGlite's
     * functions on their first call), which made the first registration cost 40–70 ms instead of
     * 12–18 ms, on the way to a desktop client's first tools/list. Done while the hub still loads.
     */
    async rehearseRegistration(): Promise<void> {
      const rolledBack = new Error('rehearsal rolled back');
      await db
        .transaction()
        .execute(async (tx) => {
          await upsertIn(tx, REHEARSAL, Number.MAX_SAFE_INTEGER, {
            identity: REHEARSAL.service_id,
            admin: false,
          });
          throw rolledBack;
        })
        .catch((error: unknown) => {
          if (error !== rolledBack) throw error;
        });
    },

    /** Marks an instance inactive; false when it does not exist. */
    async deactivate(serviceId: string): Promise<ServiceRecord | undefined> {
      const row = await db
        .updateTable('services')
        .set({ is_active: false, updated_at: sql`now()` })
        .where('service_id', '=', serviceId)
        .returningAll()
        .executeTakeFirst();
      return row && toService(row);
    },

    /** Refreshes last_seen of an active instance; undefined when unknown or inactive (the spoke must register again). */
    async heartbeat(serviceId: string): Promise<ServiceRecord | undefined> {
      const row = await db
        .updateTable('services')
        .set({ last_seen: sql`now()` })
        .where('service_id', '=', serviceId)
        .where('is_active', '=', true)
        .returningAll()
        .executeTakeFirst();
      return row && toService(row);
    },

    /** Stores the outcome of one health check and returns the updated row. */
    async recordHealthCheck(
      serviceId: string,
      outcome: { ok: boolean; reason?: string },
      failureThreshold: number,
    ): Promise<ServiceRecord | undefined> {
      const query = db
        .updateTable('services')
        .where('service_id', '=', serviceId)
        .where('is_active', '=', true);
      const row = outcome.ok
        ? await query
            .set({
              is_healthy: true,
              consecutive_failures: 0,
              last_health_check: sql`now()`,
              last_seen: sql`now()`,
            })
            .returningAll()
            .executeTakeFirst()
        : await query
            .set({
              consecutive_failures: sql`consecutive_failures + 1`,
              is_healthy: sql`consecutive_failures + 1 < ${failureThreshold}`,
              last_health_check: sql`now()`,
              last_failure_reason: outcome.reason ?? 'unknown failure',
            })
            .returningAll()
            .executeTakeFirst();
      return row && toService(row);
    },

    /** Deactivates active instances not seen for their ttl_seconds; returns their rows. */
    async expireStale(): Promise<ServiceRecord[]> {
      const rows = await db
        .updateTable('services')
        .set({ is_active: false, updated_at: sql`now()` })
        .where('is_active', '=', true)
        .where(sql<boolean>`last_seen + make_interval(secs => ttl_seconds) < now()`)
        .returningAll()
        .execute();
      return rows.map(toService);
    },

    async getService(
      serviceId: string,
    ): Promise<{ service: ServiceRecord; tools: ToolRecord[] } | undefined> {
      const row = await db
        .selectFrom('services')
        .selectAll()
        .where('service_id', '=', serviceId)
        .executeTakeFirst();
      if (!row) return undefined;
      const tools = await db
        .selectFrom('tools')
        .selectAll()
        .where('service_id', '=', serviceId)
        .orderBy('name')
        .execute();
      return { service: toService(row), tools: tools.map(toTool) };
    },

    /** Every service row, and the tool rows of the active ones: the in-memory registry's starting point. */
    async loadAll(): Promise<{ services: ServiceRecord[]; tools: ToolRecord[] }> {
      const services = await db.selectFrom('services').selectAll().execute();
      const tools = await db
        .selectFrom('tools')
        .innerJoin('services', 'services.service_id', 'tools.service_id')
        .selectAll('tools')
        .where('services.is_active', '=', true)
        .execute();
      return { services: services.map(toService), tools: tools.map(toTool) };
    },
  };
}

export type RegistryRepository = ReturnType<typeof createRegistryRepository>;

function toService(row: Selectable<ServicesTable>): ServiceRecord {
  return { ...row, tags: row.tags ?? [], meta: row.meta ?? {} };
}

function toTool(row: Selectable<ToolsTable>): ToolRecord {
  return {
    ...row,
    tags: row.tags ?? [],
    total_executions: String(row.total_executions),
    successful_executions: String(row.successful_executions),
  };
}

/** The caller of a registration, as ownership sees it. */
type Actor = { identity: string; admin: boolean };

/**
 * One registration inside `tx`: ownership and tool-name checks, the instance upserted, its tools
 * replaced (existing rows keep their statistics).
 */
async function upsertIn(
  tx: Transaction<Database>,
  write: ServiceWrite,
  maxInstances: number,
  actor: Actor,
): Promise<{ service: ServiceRecord; tools: ToolRecord[]; created: boolean }> {
  await sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`.execute(tx);

  // Ownership: the service_id, and the service_name its replicas share (and with it their
  // tool names), belong to the identity that registered them first; inactive rows keep
  // their owner until retention purges them.
  if (!actor.admin) {
    const owned = await tx
      .selectFrom('services')
      .select(['service_id', 'service_name', 'owner'])
      .where((eb) =>
        eb.or([eb('service_id', '=', write.service_id), eb('service_name', '=', write.service_name)]),
      )
      .where('owner', 'is not', null)
      .where('owner', '<>', actor.identity)
      .limit(1)
      .executeTakeFirst();
    if (owned) {
      const what =
        owned.service_id === write.service_id
          ? `service_id ${write.service_id}`
          : `service_name ${write.service_name}`;
      throw new HubError('forbidden', `${what} belongs to another identity; register under your own names`, {
        owner: owned.owner,
      });
    }
  }
  const names = write.tools.map((t) => t.name);
  if (names.length > 0) {
    const owners = await tx
      .selectFrom('tools')
      .innerJoin('services', 'services.service_id', 'tools.service_id')
      .select(['tools.name', 'services.service_name', 'services.service_id'])
      .where('tools.name', 'in', names)
      .where('services.service_name', '<>', write.service_name)
      .where('services.is_active', '=', true)
      .limit(20)
      .execute();
    if (owners.length > 0) {
      const conflicts = owners.map((o) => ({
        tool: o.name,
        owner: o.service_name,
        owner_service_id: o.service_id,
      }));
      throw new HubError(
        'tool_name_conflict',
        `tool ${owners[0]!.name} is already offered by service ${owners[0]!.service_name}; ` +
          `service ${write.service_name} cannot register it: give the registration a namespace ` +
          `(its tools become <namespace>__<name>) or a tool_prefix, or start the hub with ` +
          `--tool-namespaces service-name (every service's tools under its name)`,
        { conflicts, requested_by: write.service_name },
      );
    }
  }
  const existing = await tx
    .selectFrom('services')
    .select(['service_id', 'is_active', 'owner'])
    .where('service_id', '=', write.service_id)
    .executeTakeFirst();
  if (!existing?.is_active) {
    const { count } = await tx
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('is_active', '=', true)
      .executeTakeFirstOrThrow();
    if (Number(count) >= maxInstances) {
      throw new HubError(
        'registry_full',
        `the registry holds its maximum of ${maxInstances} active instances`,
        undefined,
        {
          retryAfterSeconds: 60,
        },
      );
    }
  }
  const values = {
    service_id: write.service_id,
    service_name: write.service_name,
    address: write.address,
    port: write.port,
    mcp_url: write.mcp_url,
    version: write.version,
    tags: JSON.stringify(write.tags),
    meta: JSON.stringify(write.meta),
    tool_prefix: write.tool_prefix,
    health_check_url: write.health_check_url,
    health_check_interval: write.health_check_interval,
    weight: write.weight,
    ttl_seconds: write.ttl_seconds,
    tools_discovered: write.tools_discovered,
    upstream_headers_sealed: write.upstream_headers_sealed,
    namespace: write.namespace,
    shared_session: write.shared_session,
    // An admin acting on another's service leaves it theirs; an unowned row is claimed.
    owner: existing?.owner ?? actor.identity,
  };
  const service = await tx
    .insertInto('services')
    .values(values)
    .onConflict((oc) =>
      oc.column('service_id').doUpdateSet({
        ...values,
        updated_at: sql`now()`,
        last_seen: sql`now()`,
        is_active: true,
        // A fresh registration is a fresh start: the instance is trusted again until checks say otherwise.
        is_healthy: true,
        consecutive_failures: 0,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  let removeQuery = tx.deleteFrom('tools').where('service_id', '=', write.service_id);
  if (names.length > 0) removeQuery = removeQuery.where('name', 'not in', names);
  await removeQuery.execute();
  const rows = write.tools.map((tool) => ({
    service_id: write.service_id,
    name: tool.name,
    upstream_name: tool.upstream_name,
    description: tool.description,
    category: tool.category,
    version: tool.version,
    tags: JSON.stringify(tool.tags),
    input_schema: JSON.stringify(tool.input_schema),
    output_schema: tool.output_schema === null ? null : JSON.stringify(tool.output_schema),
    annotations: tool.annotations === null ? null : JSON.stringify(tool.annotations),
    timeout_seconds: tool.timeout_seconds,
    retry_attempts: tool.retry_attempts,
  }));
  // One statement for every tool; existing rows keep their statistics.
  const tools: Selectable<ToolsTable>[] =
    rows.length === 0
      ? []
      : await tx
          .insertInto('tools')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['service_id', 'name']).doUpdateSet((eb) => ({
              upstream_name: eb.ref('excluded.upstream_name'),
              description: eb.ref('excluded.description'),
              category: eb.ref('excluded.category'),
              version: eb.ref('excluded.version'),
              tags: eb.ref('excluded.tags'),
              input_schema: eb.ref('excluded.input_schema'),
              output_schema: eb.ref('excluded.output_schema'),
              annotations: eb.ref('excluded.annotations'),
              timeout_seconds: eb.ref('excluded.timeout_seconds'),
              retry_attempts: eb.ref('excluded.retry_attempts'),
              is_enabled: true,
            })),
          )
          .returningAll()
          .execute();
  return { service: toService(service), tools: tools.map(toTool), created: !existing };
}
