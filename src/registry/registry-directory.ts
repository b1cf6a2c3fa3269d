import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import type { ToolWrite } from './registry-repository.js';
import type { ServiceRecord, ToolRecord } from './registry-types.js';

export interface ServiceFilter {
  name?: string;
  tag?: string;
  healthy?: boolean;
  active?: boolean;
  limit: number;
  cursor?: string;
}

export interface ToolFilter {
  category?: string;
  tag?: string;
  service?: string;
  limit: number;
  cursor?: string;
}

/** A tool of the catalogue, aggregated over the active replicas that offer it. */
export type CatalogueTool = Omit<ToolWrite, 'upstream_name'> &
  Pick<ToolRecord, 'last_executed'> & {
    service_name: string;
    instances: string[];
    total_executions: number;
    successful_executions: number;
    average_duration_ms: number;
  };

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A tool's statistics as the database holds them after a history batch. */
export interface ToolStatsRow {
  service_id: string;
  name: string;
  total_executions: string | number;
  successful_executions: string | number;
  average_duration_ms: number;
  last_executed: Date | null;
}

/**
 * The registry as the REST API reads it: every service row, and the tool rows (with statistics) of
 * the active ones. Writes go to the database first and land here from the rows it returned, so
 * lookups and paged lists never wait for the database (SPEC §10: p99 < 10 ms at 10,000 instances;
 * on the embedded database a query's answer alone took 1.5-4 ms and queued behind every other
 * query on its one connection). The database stays the record: this is rebuilt from it at start.
 *
 * Order is JavaScript's string order (UTF-16 code units), used alike for sorting and for cursors.
 * Inactive services keep their row here (about 1 KiB each) but not their tools; `GET
 * /services/{id}` of an inactive one reads its tools from the database.
 */
export class RegistryDirectory {
  private readonly services = new Map<string, ServiceRecord>();
  /** Active services only: service_id → tool name → row. */
  private readonly toolsOf = new Map<string, Map<string, ToolRecord>>();
  /** Tool name → the active services offering it. */
  private readonly replicas = new Map<string, Set<string>>();
  // Kept sorted as keys come and go (a binary search and a splice each), so that no request after a
  // burst of registrations pays for sorting 100,000 tool names.
  private readonly sortedServiceIds: string[] = [];
  private readonly sortedToolNames: string[] = [];
  private bulkLoading = false;

  /** Start-up: every service row, and the tool rows of the active ones. */
  load(services: ServiceRecord[], tools: ToolRecord[]): void {
    const byService = new Map<string, ToolRecord[]>();
    for (const tool of tools) {
      const list = byService.get(tool.service_id) ?? [];
      list.push(tool);
      byService.set(tool.service_id, list);
    }
    this.bulkLoading = true;
    for (const service of services) this.register(service, byService.get(service.service_id) ?? []);
    this.bulkLoading = false;
    // One sort instead of a splice per key (rows another hub announced meanwhile are in the maps too).
    this.sortedServiceIds.length = 0;
    this.sortedToolNames.length = 0;
    for (const id of [...this.services.keys()].sort(compare)) this.sortedServiceIds.push(id);
    for (const name of [...this.replicas.keys()].sort(compare)) this.sortedToolNames.push(name);
  }

  /** A registration: the instance as stored and its complete tool set. */
  register(service: ServiceRecord, tools: ToolRecord[]): void {
    this.dropTools(service.service_id);
    this.putService(service);
    if (!service.is_active) return;
    const mine = new Map<string, ToolRecord>();
    for (const tool of tools) {
      mine.set(tool.name, tool);
      let offering = this.replicas.get(tool.name);
      if (!offering) {
        offering = new Set();
        this.replicas.set(tool.name, offering);
        if (!this.bulkLoading) insertSorted(this.sortedToolNames, tool.name);
      }
      offering.add(service.service_id);
    }
    this.toolsOf.set(service.service_id, mine);
  }

  /** A service row the database returned from an update (heartbeat, health check, deactivation). */
  update(service: ServiceRecord): void {
    this.putService(service);
    if (!service.is_active) this.dropTools(service.service_id);
  }

  /** A service row deleted from the database (retention): gone from every index. */
  remove(serviceId: string): void {
    this.dropTools(serviceId);
    if (!this.services.delete(serviceId)) return;
    const at = firstAtOrAfter(this.sortedServiceIds, serviceId);
    if (this.sortedServiceIds[at] === serviceId) this.sortedServiceIds.splice(at, 1);
  }

  /** Every service id memory holds (for reconciling with the database). */
  serviceIds(): IterableIterator<string> {
    return this.services.keys();
  }

  /** Statistics after a history batch, as the database computed them. */
  updateStats(rows: ToolStatsRow[]): void {
    for (const row of rows) {
      const tool = this.toolsOf.get(row.service_id)?.get(row.name);
      if (!tool) continue;
      tool.total_executions = String(row.total_executions);
      tool.successful_executions = String(row.successful_executions);
      tool.average_duration_ms = row.average_duration_ms;
      tool.last_executed = row.last_executed;
    }
  }

  /**
   * True when an active instance has gone unseen (registration, heartbeat, passing check) past its
   * ttl_seconds as of `nowMs`: the hint that the TTL sweep has work.
   */
  anyExpiredAt(nowMs: number): boolean {
    for (const service of this.services.values()) {
      if (service.is_active && service.last_seen.getTime() + service.ttl_seconds * 1000 < nowMs) return true;
    }
    return false;
  }

  /** A service row, active or not. */
  getService(serviceId: string): ServiceRecord | undefined {
    return this.services.get(serviceId);
  }

  /** An active instance with its tools sorted by name; undefined for unknown or inactive ones. */
  getActive(serviceId: string): { service: ServiceRecord; tools: ToolRecord[] } | undefined {
    const service = this.services.get(serviceId);
    const tools = this.toolsOf.get(serviceId);
    if (!service?.is_active || !tools) return undefined;
    return { service, tools: [...tools.values()].sort((a, b) => compare(a.name, b.name)) };
  }

  /** Keyset page of services ordered by service_id. */
  listServices(filter: ServiceFilter): Page<ServiceRecord> {
    return keysetPage(this.sortedServiceIds, filter, (id) => {
      const service = this.services.get(id)!;
      if (filter.name !== undefined && service.service_name !== filter.name) return undefined;
      if (filter.tag !== undefined && !service.tags.includes(filter.tag)) return undefined;
      if (filter.healthy !== undefined && service.is_healthy !== filter.healthy) return undefined;
      if (filter.active !== undefined && service.is_active !== filter.active) return undefined;
      return service;
    });
  }

  /** Keyset page of the catalogue: one entry per tool name, statistics summed over replicas. */
  listCatalogue(filter: ToolFilter): Page<CatalogueTool> {
    return keysetPage(this.sortedToolNames, filter, (name) => {
      const rows = this.rowsOf(name);
      return rows.some((row) => this.matches(row, filter)) ? aggregate(rows) : undefined;
    });
  }

  /** Every tool name of the catalogue, sorted (the search index is built from them). */
  toolNames(): readonly string[] {
    return this.sortedToolNames;
  }

  /** Whether a tool passes a list filter on at least one of its replicas. */
  toolMatches(name: string, filter: Omit<ToolFilter, 'limit' | 'cursor'>): boolean {
    return this.rowsOf(name).some((row) => this.matches(row, { ...filter, limit: 0 }));
  }

  /** One catalogue entry by its MCP name. */
  getTool(name: string): CatalogueTool | undefined {
    const rows = this.rowsOf(name);
    return rows.length === 0 ? undefined : aggregate(rows);
  }

  private matches({ tool, service }: { tool: ToolRecord; service: ServiceRecord }, filter: ToolFilter) {
    if (!tool.is_enabled) return false;
    if (filter.category !== undefined && tool.category !== filter.category) return false;
    if (filter.tag !== undefined && !tool.tags.includes(filter.tag)) return false;
    if (
      filter.service !== undefined &&
      service.service_name !== filter.service &&
      service.service_id !== filter.service
    )
      return false;
    return true;
  }

  /** The replicas of a tool, the most recently updated registration first. */
  private rowsOf(name: string): { tool: ToolRecord; service: ServiceRecord }[] {
    const rows: { tool: ToolRecord; service: ServiceRecord }[] = [];
    for (const serviceId of this.replicas.get(name) ?? []) {
      const tool = this.toolsOf.get(serviceId)?.get(name);
      const service = this.services.get(serviceId);
      if (tool && service) rows.push({ tool, service });
    }
    return rows.sort((a, b) => b.service.updated_at.getTime() - a.service.updated_at.getTime());
  }

  private putService(service: ServiceRecord): void {
    if (!this.services.has(service.service_id) && !this.bulkLoading)
      insertSorted(this.sortedServiceIds, service.service_id);
    this.services.set(service.service_id, service);
  }

  private dropTools(serviceId: string): void {
    const tools = this.toolsOf.get(serviceId);
    if (!tools) return;
    this.toolsOf.delete(serviceId);
    for (const name of tools.keys()) {
      const offering = this.replicas.get(name);
      offering?.delete(serviceId);
      if (offering?.size === 0) {
        this.replicas.delete(name);
        this.sortedToolNames.splice(firstAtOrAfter(this.sortedToolNames, name), 1);
      }
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first key not sorting before `key` (keys sorted ascending). */
function firstAtOrAfter(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(keys: string[], key: string): void {
  keys.splice(firstAtOrAfter(keys, key), 0, key);
}

/**
 * A keyset page over sorted keys: the items `pick` keeps after the cursor's key, up to the limit;
 * the cursor of the next page is the last item's key.
 */
function keysetPage<T>(
  keys: string[],
  filter: { limit: number; cursor?: string },
  pick: (key: string) => T | undefined,
): Page<T> {
  let i = 0;
  if (filter.cursor !== undefined) {
    const after = decodeCursor(filter.cursor, 1)[0]!;
    i = firstAtOrAfter(keys, after);
    if (keys[i] === after) i++;
  }
  const items: T[] = [];
  let lastKey: string | undefined;
  for (; i < keys.length; i++) {
    const item = pick(keys[i]!);
    if (item === undefined) continue;
    if (items.length === filter.limit) return { items, next_cursor: encodeCursor([lastKey]) };
    items.push(item);
    lastKey = keys[i];
  }
  return { items, next_cursor: null };
}

/** One catalogue entry: the newest replica's definition, statistics over every replica. */
function aggregate(rows: { tool: ToolRecord; service: ServiceRecord }[]): CatalogueTool {
  const { tool: newest, service } = rows[0]!;
  let total = 0;
  let successful = 0;
  let durationSum = 0;
  let lastExecuted: Date | null = null;
  for (const { tool } of rows) {
    const n = Number(tool.total_executions);
    total += n;
    successful += Number(tool.successful_executions);
    durationSum += tool.average_duration_ms * n;
    if (tool.last_executed && (!lastExecuted || tool.last_executed > lastExecuted))
      lastExecuted = tool.last_executed;
  }
  return {
    name: newest.name,
    service_name: service.service_name,
    description: newest.description,
    category: newest.category,
    version: newest.version,
    tags: newest.tags,
    input_schema: newest.input_schema,
    output_schema: newest.output_schema,
    annotations: newest.annotations,
    timeout_seconds: newest.timeout_seconds,
    retry_attempts: newest.retry_attempts,
    instances: rows.map((row) => row.tool.service_id),
    total_executions: total,
    successful_executions: successful,
    average_duration_ms: total === 0 ? 0 : durationSum / total,
    last_executed: lastExecuted,
  };
}
